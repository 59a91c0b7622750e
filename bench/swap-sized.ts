/**
 * Swap pause for sized states (an array of objects in the context, ~1 KB / 100 KB / 10 MB of JSON).
 * Each iteration starts a fresh live component on a freshly built, unfrozen payload — as a real
 * component's state is — and swaps it v1 → v2 (`first`), then back v2 → v1 (`repeat`: by then the
 * payload is frozen, so this is the steady-state cost). The naive floor runs on its own fresh payload,
 * in the same iteration, alternating which goes first.
 */
import { createRuntime, SwapPhases, type SwapPhase, type SwapReport } from 'hotswap';
import { collectGarbage } from './_internal/gc.ts';
import { jobLineage, payload } from './_internal/machines.ts';
import { naiveSwap, startBare } from './_internal/naive.ts';
import { round, summarize, type Summary } from './_internal/stats.ts';

export interface SizedCase {
  /** Key in the results: `swap.<label>.…`. */
  readonly label: string;
  readonly bytes: number;
  readonly iterations: number;
  readonly warmup: number;
}

export interface SizedResult {
  readonly label: string;
  /** JSON size of the whole v1 context. */
  readonly stateBytes: number;
  readonly items: number;
  readonly pause: Summary;
  readonly repeatPause: Summary;
  /** Call to report (adds plan, state hashing and the journal write to the pause). */
  readonly total: Summary;
  readonly naive: Summary;
  readonly phases: Readonly<Record<SwapPhase, number>>;
  readonly ratio: number;
}

function check(report: SwapReport): SwapReport {
  if (report.outcome !== 'committed') throw new Error(`sized swap refused:\n${JSON.stringify(report.blockers)}`);
  if (report.effects.carried.length !== 1) throw new Error(`sized swap carried ${report.effects.carried.length} delays, expected 1`);
  return report;
}

async function hotswapOnce(bytes: number): Promise<{ first: SwapReport; repeat: SwapReport }> {
  const runtime = createRuntime();
  const c = runtime.start(jobLineage, { version: 1, input: { items: payload(bytes) } });
  const first = check(await c.swap(2));
  const repeat = check(await c.swap(1));
  await runtime.stop();
  return { first, repeat };
}

function naiveOnce(bytes: number): number {
  const actor = startBare(payload(bytes));
  const r = naiveSwap(actor, 1);
  r.actor.stop();
  return r.us;
}

export async function benchSwapSized(c: SizedCase): Promise<SizedResult> {
  const sample = payload(c.bytes);
  const stateBytes = JSON.stringify({ count: 0, label: 'job', enabled: true, items: sample }).length;
  for (let i = 0; i < c.warmup; i++) {
    await hotswapOnce(c.bytes);
    naiveOnce(c.bytes);
  }
  const pauses: number[] = [];
  const repeats: number[] = [];
  const totals: number[] = [];
  const naive: number[] = [];
  const phases = Object.fromEntries(SwapPhases.map((p) => [p, [] as number[]])) as Record<SwapPhase, number[]>;
  const big = c.bytes >= 1_000_000;
  for (let i = 0; i < c.iterations; i++) {
    // big states: collect the previous iteration's garbage outside the timed part
    if (big) collectGarbage();
    const runHotswap = async (): Promise<void> => {
      const { first, repeat } = await hotswapOnce(c.bytes);
      pauses.push(first.pauseUs);
      repeats.push(repeat.pauseUs);
      totals.push(first.totalUs);
      for (const p of SwapPhases) phases[p].push(first.timings[p] ?? 0);
      if (big) collectGarbage();
    };
    if (i % 2 === 0) {
      await runHotswap();
      naive.push(naiveOnce(c.bytes));
    } else {
      naive.push(naiveOnce(c.bytes));
      if (big) collectGarbage();
      await runHotswap();
    }
  }
  const pause = summarize(pauses);
  const naiveSummary = summarize(naive);
  return {
    label: c.label,
    stateBytes,
    items: sample.length,
    pause,
    repeatPause: summarize(repeats),
    total: summarize(totals),
    naive: naiveSummary,
    phases: Object.fromEntries(SwapPhases.map((p) => [p, summarize(phases[p]).p50])) as Record<SwapPhase, number>,
    ratio: round(pause.p50 / naiveSummary.p50, 2),
  };
}
