/** An event as the sequence count sees it; `fresh` marks events this run takes in (after the watermark). */
export interface SequenceEvent {
  type: string;
  occurredAt: Date;
  fresh: boolean;
}

export interface SequenceCount {
  /** UTC day (YYYY-MM-DD) of the sequence's last event. */
  day: string;
  sequence: string[];
  occurrences: number;
}

/**
 * Counts sequences of 2 and 3 consecutive event types within a session: events ordered by time,
 * a gap above `gapMs` ends the session, and repeats of one type collapse into one step (ten
 * `message.sent` in a row are one step, not nine self-loops). A sequence is counted once, by the
 * run that takes in its last event, so older events passed as context (fresh: false) complete
 * sequences across the watermark without being counted again. Events must be sorted by time.
 */
export function countSequences(events: readonly SequenceEvent[], gapMs: number): SequenceCount[] {
  const counts = new Map<string, SequenceCount>();
  let steps: string[] = [];
  let lastAt: number | null = null;
  for (const event of events) {
    const at = event.occurredAt.getTime();
    if (lastAt !== null && at - lastAt > gapMs) steps = [];
    lastAt = at;
    if (steps.at(-1) === event.type) continue;
    steps.push(event.type);
    if (steps.length > 3) steps.shift();
    if (!event.fresh) continue;
    const day = event.occurredAt.toISOString().slice(0, 10);
    for (const length of [2, 3]) {
      if (steps.length < length) continue;
      const sequence = steps.slice(-length);
      const key = `${day}\u0000${sequence.join("\u0000")}`;
      const entry = counts.get(key);
      if (entry) entry.occurrences++;
      else counts.set(key, { day, sequence, occurrences: 1 });
    }
  }
  return [...counts.values()];
}
