-- The audit log's filters by action, actor and target (GET /api/v1/audit and the admin console)
-- page newest first on seq. Without these a rare action, actor or target walked the whole table
-- backwards to fill a page (70 ms at 100,000 rows, growing with the table). Audit rows are written
-- only when something changes, so three more indexes cost little.
CREATE INDEX audit_events_action_seq_idx ON backplane.audit_events (action, seq DESC);
CREATE INDEX audit_events_actor_seq_idx ON backplane.audit_events (actor_id, seq DESC);
CREATE INDEX audit_events_target_seq_idx ON backplane.audit_events (target_id, seq DESC) WHERE target_id IS NOT NULL;
