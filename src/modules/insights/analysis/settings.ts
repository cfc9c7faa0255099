/** How the analyses read telemetry (docs/insights.md). Fixed here: they define what an insight means. */

/** A pause longer than this starts a new session; sequences never span one (Google Analytics' default). */
export const SESSION_GAP_MINUTES = 30;
/** One analysis run per user per this many seconds, however many batches arrive. */
export const ANALYSIS_DEBOUNCE_SECONDS = 300;
/** Telemetry rows one run takes in at most; a longer backlog continues in a follow-up run. */
export const ANALYSIS_BATCH_EVENTS = 50_000;
/** The window insights and suggestions are computed over (days, today included). */
export const ANALYSIS_WINDOW_DAYS = 30;

/** A sequence is listed from this many occurrences in the window, and becomes an insight from… */
export const SEQUENCE_MIN_OCCURRENCES = 3;
export const SEQUENCE_INSIGHT_OCCURRENCES = 5;
export const SEQUENCE_INSIGHT_DAYS = 2;
/** Time-of-day and weekday insights need this many events in the window. */
export const USAGE_INSIGHT_EVENTS = 50;
/** A streak becomes an insight from this many days. */
export const STREAK_INSIGHT_DAYS = 3;
/** An app is slow (an insight) at this p95, from this many timed events. */
export const SLOW_APP_P95_MS = 1000;
export const PERFORMANCE_MIN_SAMPLES = 20;
/** An app is error-prone (an insight) at this error rate, from PERFORMANCE_MIN_SAMPLES events. */
export const ERROR_RATE_INSIGHT = 0.05;
/** An integration is suggested from this many matching events on this many days. */
export const SUGGESTION_MIN_EVENTS = 10;
export const SUGGESTION_MIN_DAYS = 2;
