-- Storage: the btree on (user_id, occurred_at) cost ~60 MiB per million events (docs/benchmarks.md,
-- scenario 8) on a product whose seed targets a 500 MB database. Nothing needs it per user: the
-- analyses walk events by (user_id, seq), and the daily retention cleanup scans by time across
-- users. Events arrive roughly in time order, so BRIN indexes (a few pages per million rows) let
-- the cleanup and the metrics window skip old blocks.
DROP INDEX insights.telemetry_events_user_occurred_idx;
CREATE INDEX telemetry_events_occurred_brin ON insights.telemetry_events USING brin (occurred_at);
CREATE INDEX telemetry_events_received_brin ON insights.telemetry_events USING brin (received_at);
