/**
 * Swap pause for a tiny state (3 context fields, one pending `after`): one live component swapping
 * v1 → v2 → v1 … through a reversible link, against the naive floor (see `_internal/naive.ts`) on a
 * bare actor of the same machines, in interleaved blocks (A B, B A, …).
 */
import { createRuntime, type SwapReport, SwapPhases, type SwapPhase } from 'hotswap';
import { collectGarbage } from './_internal/gc.ts';
import { jobLineage } from './_internal/machines.ts';
import { naiveSwap, naiveSwapRearm, startBare } from './_internal/naive.ts';
import { round, summarize, type Summary } from './_internal/stats.ts';

export interface TinyConfig {
  readonly swaps: number;
  readonly blockSize: number;
  readonly warmupSwaps: number;
}

export interface TinyResult {
  readonly pause: Summary;
  /** Call to report: the pause plus plan, hashing and the journal write. */
  readonly total: Summary;
  readonly floor: Summary;
  /** The naive swap that also re-arms the pending delay (the one effect it cannot skip). */
  readonly rearmFloor: Summary;
  readonly rearmRatio: number;
  /** p50 µs of each phase. */
  readonly phases: Readonly<Record<SwapPhase, number>>;
  readonly ratio: number;
}

/** Runs `n` hotswap swaps on a fresh component; checks each committed and carried the pending delay. */
async function hotswapBlock(n: number, pauses: number[], totals: number[], phases: Record<SwapPhase, number[]>): Promise<void> {
  const runtime = createRuntime();
  const c = runtime.start(jobLineage, { version: 1, input: {} });
  for (let i = 0; i < n; i++) {
    const report: SwapReport = await c.swap(c.version === 1 ? 2 : 1);
    if (report.outcome !== 'committed') throw new Error(`tiny swap refused:\n${JSON.stringify(report.blockers)}`);
    if (report.effects.carried.length !== 1) throw new Error(`tiny swap carried ${report.effects.carried.length} delays, expected 1`);
    pauses.push(report.pauseUs);
    totals.push(report.totalUs);
    for (const p of SwapPhases) phases[p].push(report.timings[p] ?? 0);
  }
  await runtime.stop();
}

function naiveBlock(n: number, floors: number[], swap: typeof naiveSwap = naiveSwap): void {
  let actor = startBare(undefined);
  let from: 1 | 2 = 1;
  for (let i = 0; i < n; i++) {
    const r = swap(actor, from);
    actor = r.actor;
    from = from === 1 ? 2 : 1;
    floors.push(r.us);
  }
  actor.stop();
}

export async function benchSwapTiny(config: TinyConfig): Promise<TinyResult> {
  const sink = { pauses: [] as number[], totals: [] as number[], floors: [] as number[], rearm: [] as number[] };
  const emptyPhases = (): Record<SwapPhase, number[]> => Object.fromEntries(SwapPhases.map((p) => [p, [] as number[]])) as Record<SwapPhase, number[]>;
  await hotswapBlock(config.warmupSwaps, [], [], emptyPhases());
  naiveBlock(config.warmupSwaps, []);
  naiveBlock(config.warmupSwaps, [], naiveSwapRearm);
  collectGarbage();

  const phases = emptyPhases();
  for (let done = 0, b = 0; done < config.swaps; done += config.blockSize, b++) {
    const n = Math.min(config.blockSize, config.swaps - done);
    if (b % 2 === 0) {
      await hotswapBlock(n, sink.pauses, sink.totals, phases);
      naiveBlock(n, sink.floors);
      naiveBlock(n, sink.rearm, naiveSwapRearm);
    } else {
      naiveBlock(n, sink.rearm, naiveSwapRearm);
      naiveBlock(n, sink.floors);
      await hotswapBlock(n, sink.pauses, sink.totals, phases);
    }
  }
  const pause = summarize(sink.pauses);
  const floor = summarize(sink.floors);
  const rearmFloor = summarize(sink.rearm);
  return {
    pause,
    total: summarize(sink.totals),
    floor,
    phases: Object.fromEntries(SwapPhases.map((p) => [p, summarize(phases[p]).p50])) as Record<SwapPhase, number>,
    ratio: round(pause.p50 / floor.p50, 2),
    rearmFloor,
    rearmRatio: round(pause.p50 / rearmFloor.p50, 2),
  };
}
