import type { CallTurnRecord, TurnLatency } from '../../ports/records.js';

/** The instants of one answered turn, in the order they happen. */
export type LatencyMark = 'speechEnd' | 'sttFinal' | 'firstToken' | 'firstAudio' | 'firstFrame';


/**
 * Every measured span, from which mark to which: the one definition behind the stored breakdown, the
 * per-call summary and (later) metrics histograms.
 */
export const LATENCY_STAGES: ReadonlyArray<{ stage: keyof TurnLatency; from: LatencyMark; to: LatencyMark }> = [
  { stage: 'sttMs', from: 'speechEnd', to: 'sttFinal' },
  { stage: 'brainMs', from: 'sttFinal', to: 'firstToken' },
  { stage: 'ttsMs', from: 'firstToken', to: 'firstAudio' },
  { stage: 'sendMs', from: 'firstAudio', to: 'firstFrame' },
  { stage: 'totalMs', from: 'speechEnd', to: 'firstFrame' },
];

/** The marks of one turn as they happen (first one of each kind wins); milliseconds of the ports' clock. */
export class TurnClock {
  private readonly marks: Partial<Record<LatencyMark, number>> = {};

  constructor(private readonly now: () => number) {}

  mark(mark: LatencyMark, at: number = this.now()): void {
    this.marks[mark] ??= at;
  }

  has(mark: LatencyMark): boolean {
    return this.marks[mark] !== undefined;
  }

  latency(): TurnLatency {
    const span = (from: LatencyMark, to: LatencyMark): number | null => {
      const start = this.marks[from];
      const end = this.marks[to];
      return start === undefined || end === undefined ? null : Math.max(0, Math.round(end - start));
    };
    const result = { sttMs: null, brainMs: null, ttsMs: null, sendMs: null, totalMs: null } as TurnLatency;
    for (const { stage, from, to } of LATENCY_STAGES) result[stage] = span(from, to);
    return result;
  }
}

export interface StageSummary {
  turns: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export type LatencySummary = { turns: number } & Partial<Record<keyof TurnLatency, StageSummary>>;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Per-stage p50, p95 and max over the call's measured turns; stages never measured are left out. */
export function summariseLatency(turns: readonly CallTurnRecord[]): LatencySummary | null {
  const measured = turns.flatMap((t) => (t.latency ? [t.latency] : []));
  if (measured.length === 0) return null;
  const summary: LatencySummary = { turns: measured.length };
  for (const { stage } of LATENCY_STAGES) {
    const values = measured.flatMap((l) => (l[stage] === null ? [] : [l[stage] as number])).sort((a, b) => a - b);
    if (values.length === 0) continue;
    summary[stage] = { turns: values.length, p50Ms: percentile(values, 50), p95Ms: percentile(values, 95), maxMs: values.at(-1) ?? 0 };
  }
  return summary;
}

