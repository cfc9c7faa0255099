import { relativeSpread } from "./stats.ts";

/** One thing measured in a scenario: Backplane or one of its baselines. */
export interface Subject<Sample> {
  name: string;
  measure(round: number): Promise<Sample>;
}

export interface RoundsResult<Sample> {
  /** samples[subject][round] */
  samples: Record<string, Sample[]>;
  /** Runs made, including discarded ones. */
  attempts: number;
  /** Set when the baseline still varied too much after the last retry: reported, but flagged. */
  flagged: string | null;
  baselineSpread: number;
}

export interface RoundsOptions<Sample> {
  subjects: Subject<Sample>[];
  rounds: number;
  /** Name of the subject whose stability decides whether a run is kept. */
  baseline: string;
  /** The figure the stability check looks at (e.g. req/s). */
  value: (sample: Sample) => number;
  maxSpread: number;
  maxRetries: number;
  log: (line: string) => void;
}

/**
 * Measures every subject once per round, in the same order each round (A B C A B C …), so
 * each ratio compares figures taken seconds apart. A run whose baseline moved more than
 * `maxSpread` ((max − min) / median across rounds) is discarded and run again, at most
 * `maxRetries` times; after that the last run is kept and flagged.
 */
export async function alternate<Sample>(options: RoundsOptions<Sample>): Promise<RoundsResult<Sample>> {
  let last: RoundsResult<Sample> | null = null;
  for (let attempt = 1; attempt <= options.maxRetries + 1; attempt++) {
    const samples: Record<string, Sample[]> = Object.fromEntries(options.subjects.map((subject) => [subject.name, []]));
    for (let round = 0; round < options.rounds; round++) {
      for (const subject of options.subjects) {
        samples[subject.name]?.push(await subject.measure(round));
      }
    }
    const baselineSpread = relativeSpread((samples[options.baseline] ?? []).map(options.value));
    const pct = (baselineSpread * 100).toFixed(1);
    if (baselineSpread <= options.maxSpread) return { samples, attempts: attempt, flagged: null, baselineSpread };
    options.log(
      `  discarding run ${attempt}: baseline "${options.baseline}" varied ${pct}% across rounds (limit ${options.maxSpread * 100}%)`,
    );
    last = {
      samples,
      attempts: attempt,
      flagged: `baseline "${options.baseline}" varied ${pct}% across rounds in every one of ${attempt} runs (limit ${options.maxSpread * 100}%); last run kept`,
      baselineSpread,
    };
  }
  return last as RoundsResult<Sample>;
}
