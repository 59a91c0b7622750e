/**
 * What a rehearsal's shadow replay, a pooled rehearsal and a probation cost: part of `npm run bench`
 * (bench/run.ts puts its keys in `bench/results/latest.json`), and on its own as
 * `npm run bench:rehearse` (`-- --quick` for a short run; flat JSON to `bench/results/rehearse.json`,
 * or `--out <file>`).
 *
 * - `rehearse.replay_1k_events_ms`: one `rehearse(2, { replay: true })` over 1,000 recorded counter
 *   events (both versions stepped with XState's pure `transition()`, the old one migrated after each).
 * - `probation.overhead_ratio`: event throughput of a component whose swap is on probation (every
 *   accepted event logged, its invariant checked) ÷ the same component outside it, measured in
 *   alternating blocks so a busy machine slows both sides together.
 * - `rehearse.10mb.*`: a rehearsal of a 10 MB state — `inline_ms` the main thread's block inline (all
 *   of it), `main_block_ms` its longest block with `rehearseInPool` (a 1 ms interval's longest gap),
 *   `pool_total_ms` the pooled rehearsal's wall time. See docs/benchmarks.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { assign, setup } from 'xstate';
import { createRuntime, defineVersion, lineage, ManualClock } from 'hotswap';
import { counterMachine, type CounterEvent, jobLineage, payload } from './_internal/machines.ts';
import { median, round } from './_internal/stats.ts';

// v2 counts in `total` (renamed by the link): the replay migrates the old state after every event
const v2Machine = setup({ types: { context: {} as { total: number }, events: {} as CounterEvent } }).createMachine({
  id: 'counter',
  context: { total: 0 },
  on: { INC: { actions: assign({ total: ({ context, event }) => context.total + event.by }) }, RESET: { actions: assign({ total: 0 }) } },
});
const counter = lineage('counter', defineVersion({ version: 1, machine: counterMachine, invariant: ({ context }) => context.count >= 0 || [{ path: 'context.count', message: 'negative' }] })).next(
  defineVersion({ version: 2, machine: v2Machine, invariant: ({ context }) => context.total >= 0 || [{ path: 'context.total', message: 'negative' }] }),
  { up: ({ value, context }) => ({ value, context: { total: context.count } }), down: ({ value, context }) => ({ value, context: { count: context.total } }) },
);

/** How much to measure. */
export interface RehearseConfig {
  /** Timed replays of 1,000 events (after 3 warm-ups). */
  readonly replays: number;
  /** Alternating blocks on probation and outside it, of `perRound` events each. */
  readonly rounds: number;
  readonly perRound: number;
  /** Rehearsals of the 10 MB state, inline and in the pool (after one pooled warm-up). */
  readonly sizedRuns: number;
}

export const REHEARSE_FULL: RehearseConfig = { replays: 50, rounds: 200, perRound: 2_000, sizedRuns: 5 };
export const REHEARSE_QUICK: RehearseConfig = { replays: 10, rounds: 40, perRound: 2_000, sizedRuns: 2 };

export interface RehearseResult {
  readonly replayMs: readonly number[];
  readonly probationRatios: readonly number[];
  readonly inlineMs: readonly number[];
  readonly blockMs: readonly number[];
  readonly pooledMs: readonly number[];
  readonly config: RehearseConfig;
}

/** Runs the three measurements (see the file's opening comment). */
export async function benchRehearse(config: RehearseConfig): Promise<RehearseResult> {
  // ── replay of 1,000 recorded events ─────────────────────────────────────────
  const replayMs: number[] = [];
  {
    const c = createRuntime().start(counter, { version: 1, shadow: { events: 1000 } });
    for (let i = 0; i < 1000; i++) c.send({ type: 'INC', by: 1 });
    const project = ({ context }: { context: unknown }): unknown => (context as { total: number }).total;
    for (let i = 0; i < config.replays + 3; i++) {
      const t = performance.now();
      const r = c.rehearse(2, { replay: true, project });
      const ms = performance.now() - t;
      if (!r.ok || r.replay?.events !== 1000) throw new Error(`bench: the replay did not cover 1000 events: ${JSON.stringify(r.blockers)}`);
      if (i >= 3) replayMs.push(ms);
    }
  }

  // ── probation overhead: alternating blocks, probation vs none ──────────────
  const { rounds, perRound } = config;
  const clock = new ManualClock(); // the window never ends during the bench
  const onProbation = createRuntime({ clock }).start(counter, { version: 1 });
  const plain = createRuntime({ clock }).start(counter, { version: 1 });
  if ((await onProbation.swap(2, { probation: { ms: 2 ** 31 - 1 } })).outcome !== 'committed' || onProbation.probation === undefined) throw new Error('bench: no probation');
  if ((await plain.swap(2)).outcome !== 'committed') throw new Error('bench: the plain swap did not commit');
  const ev: CounterEvent = { type: 'INC', by: 1 };
  const block = (c: typeof plain): number => {
    const t = performance.now();
    for (let i = 0; i < perRound; i++) c.send(ev);
    return performance.now() - t;
  };
  for (let i = 0; i < 10; i++) {
    block(onProbation);
    block(plain);
  }
  const ratios: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const first = i % 2 === 0;
    const a = first ? block(onProbation) : block(plain);
    const b = first ? block(plain) : block(onProbation);
    const [p, q] = first ? [a, b] : [b, a];
    ratios.push(q / p); // throughput on probation ÷ outside = time outside ÷ time on probation
  }
  if (onProbation.probation === undefined) throw new Error('bench: the probation ended during the bench');

  // ── a 10 MB state: inline vs the pool ──────────────────────────────────────
  const sizedRuns = config.sizedRuns;
  const inlineMs: number[] = [];
  const blockMs: number[] = [];
  const pooledMs: number[] = [];
  {
    const runtime = createRuntime();
    const c = runtime.start(jobLineage, { version: 1, input: { items: payload(10_000_000) } });
    const module = new URL('./_internal/machines.ts', import.meta.url);
    const pooled = () => c.rehearseInPool(2, { module, export: 'jobLineage' });
    const warm = await pooled(); // starts the worker
    if (!warm.ok || warm.ranIn !== 'pool') throw new Error(`bench: the pooled rehearsal did not run in the pool: ${warm.inlineReason ?? JSON.stringify(warm.blockers)}`);
    for (let i = 0; i < sizedRuns; i++) {
      let t = performance.now();
      if (!c.rehearse(2).ok) throw new Error('bench: the inline rehearsal refused');
      inlineMs.push(performance.now() - t);
      let last = performance.now();
      let longest = 0;
      const tick = setInterval(() => {
        const now = performance.now();
        longest = Math.max(longest, now - last);
        last = now;
      }, 1);
      t = performance.now();
      const r = await pooled();
      pooledMs.push(performance.now() - t);
      clearInterval(tick);
      blockMs.push(Math.max(longest, performance.now() - last));
      if (!r.ok || r.ranIn !== 'pool') throw new Error('bench: the pooled rehearsal refused');
    }
    await runtime.stop();
  }
  return { replayMs, probationRatios: ratios, inlineMs, blockMs, pooledMs, config };
}

/** The flat `rehearse.*` and `probation.*` keys of a {@link RehearseResult}. */
export function rehearseResults(r: RehearseResult): Record<string, number> {
  return {
    'rehearse.replay_1k_events_ms': round(median([...r.replayMs]), 2),
    'rehearse.replay_1k_events_p90_ms': round(r.replayMs.slice().sort((x, y) => x - y)[Math.floor(r.replayMs.length * 0.9)]!, 2),
    'rehearse.replays': r.replayMs.length,
    'rehearse.10mb.inline_ms': round(median([...r.inlineMs]), 1),
    'rehearse.10mb.main_block_ms': round(median([...r.blockMs]), 1),
    'rehearse.10mb.pool_total_ms': round(median([...r.pooledMs]), 1),
    'rehearse.10mb.runs': r.config.sizedRuns,
    'probation.overhead_ratio': round(median([...r.probationRatios]), 3),
    'probation.rounds': r.config.rounds,
    'probation.events_per_round': r.config.perRound,
  };
}

// `npm run bench:rehearse`: this file on its own
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, out: { type: 'string' } }, allowPositionals: false });
  const quick = args.quick === true;
  const here = dirname(fileURLToPath(import.meta.url));
  const outFile = resolve(args.out ?? `${here}/results/rehearse.json`);
  const load = loadavg()[0]!;
  const r = await benchRehearse(quick ? REHEARSE_QUICK : REHEARSE_FULL);
  const results = {
    'meta.date': new Date().toISOString(),
    'meta.node_version': process.version,
    'meta.quick': quick ? 1 : 0,
    'meta.cpus': cpus().length,
    'meta.loadavg_1m_start': round(load, 2),
    'meta.loadavg_1m_end': round(loadavg()[0]!, 2),
    ...rehearseResults(r),
  };
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(results, null, 2)}\nwritten: ${outFile}\n`);
}
