/**
 * Big states and many instances (issue 12): the event-loop block a swap causes, measured by a
 * loop-lag probe ({@link loopProbe}) around each whole swap call — the pre-copy's slices, the pause and
 * everything synchronous after it (state hashing, the journal write) — next to the report's `pauseUs`
 * and, as the baseline, the longest gap of an idle window as long as the swap; and a `swapAll` of
 * thousands of small live components: total time and the longest block while it runs, next to the
 * report's `blockUs`, the longest GC pause inside it and the same idle baseline.
 * `tsx --conditions=source bench/big-state.ts [--quick] [--only big|mass] [--runs N]` runs it alone
 * (`--runs`: the `swapAll` runs); bench/run.ts runs it too.
 */
import { spawnSync } from 'node:child_process';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRuntime, type LiveComponent } from 'hotswap';
import { cpuProbe } from './_internal/cpu-probe.ts';
import { collectGarbage } from './_internal/gc.ts';
import { loopProbe } from './_internal/loop-probe.ts';
import { jobLineage, payload } from './_internal/machines.ts';
import { naiveSwap, startBare } from './_internal/naive.ts';
import { round, summarize, type Summary } from './_internal/stats.ts';

export interface BigStateCase {
  /** Key in the results: `swap.<label>.…`. */
  readonly label: string;
  readonly bytes: number;
  /** Fresh components; each swaps v1 → v2 (first: unfrozen input) and back (repeat). */
  readonly iterations: number;
}

export interface BigStateResult {
  readonly label: string;
  /** Probe: the longest event-loop gap per swap, first and repeat swaps together (ms). */
  readonly loopBlock: Summary;
  readonly firstLoopBlock: Summary;
  readonly repeatLoopBlock: Summary;
  /** The reports' `pauseUs`, `blockUs`, `hashUs`, `precopyUs` (0 when absent), in ms. */
  readonly pause: Summary;
  readonly precopy: Summary;
  readonly block: Summary;
  readonly hash: Summary;
  readonly naive: Summary;
  /**
   * The longest stretch of the main thread's own CPU between two probe turns, per swap (ms; -1 where not
   * measurable): the loop block without the time the OS kept the process descheduled.
   */
  readonly cpuBlock: Summary;
  /**
   * Baseline of the same run: the longest loop gap in a window as long as each swap, no swap running
   * (the machine's own noise: other processes' load, the heap's collections).
   */
  readonly idle: Summary;
  /** The longest garbage-collection pause seen inside each swap's probe window (ms): part of the loop block, the heap's not the swap's code. */
  readonly gc: Summary;
}

export async function benchBigState(c: BigStateCase): Promise<BigStateResult> {
  const probe = loopProbe();
  const cpu = cpuProbe();
  const cpuBlocks: number[] = [];
  const loop: number[] = [];
  const first: number[] = [];
  const repeat: number[] = [];
  const pause: number[] = [];
  const block: number[] = [];
  const hash: number[] = [];
  const naive: number[] = [];
  const precopy: number[] = [];
  const gcs: number[] = [];
  const idle: number[] = [];
  let gcMax = 0;
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMax = Math.max(gcMax, e.duration);
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  try {
    for (let i = 0; i < c.iterations; i++) {
      collectGarbage();
      const runtime = createRuntime();
      const comp = runtime.start(jobLineage, { version: 1, input: { items: payload(c.bytes) } });
      for (const [to, into] of [[2, first], [1, repeat]] as const) {
        await probe.read();
        probe.reset();
        cpu.reset();
        gcMax = 0;
        const t = performance.now();
        const r = await comp.swap(to);
        const gap = await probe.read();
        cpuBlocks.push(await cpu.read());
        const took = performance.now() - t;
        probe.reset();
        await new Promise((resolve) => setTimeout(resolve, took));
        idle.push(await probe.read());
        gcs.push(gcMax);
        precopy.push((r.precopyUs ?? 0) / 1000);
        if (r.outcome !== 'committed') throw new Error(`big-state swap refused: ${JSON.stringify(r.blockers)}`);
        into.push(gap);
        loop.push(gap);
        pause.push(r.pauseUs / 1000);
        block.push((r.blockUs ?? 0) / 1000);
        hash.push((r.hashUs ?? 0) / 1000);
      }
      await runtime.stop();
      collectGarbage();
      const actor = startBare(payload(c.bytes));
      const n = naiveSwap(actor, 1);
      n.actor.stop();
      naive.push(n.us / 1000);
    }
  } finally {
    probe.stop();
    cpu.stop();
    gcObserver.disconnect();
  }
  return {
    label: c.label,
    loopBlock: summarize(loop),
    firstLoopBlock: summarize(first),
    repeatLoopBlock: summarize(repeat),
    pause: summarize(pause),
    block: summarize(block),
    hash: summarize(hash),
    naive: summarize(naive),
    precopy: summarize(precopy),
    idle: summarize(idle),
    cpuBlock: summarize(cpuBlocks),
    gc: summarize(gcs),
  };
}

export interface MassCase {
  readonly instances: number;
  readonly runs: number;
}

export interface MassResult {
  readonly instances: number;
  /** One `swapAll` of every instance, call to report (ms), per run. */
  readonly total: Summary;
  /** The longest event-loop gap during each `swapAll` (ms). */
  readonly maxBlock: Summary;
  /** How many progress callbacks one run delivered. */
  readonly progressCalls: number;
  /** The report's `blockUs` (ms): the longest stretch `swapAll`'s own code ran, collections inside it included. */
  readonly reportBlock: Summary;
  /** The longest garbage-collection pause inside each `swapAll` (ms): young-generation scavenges of the parts' new actors. */
  readonly gc: Summary;
  /** Baseline of the same run: the longest loop gap of an idle window as long as each `swapAll` (ms). */
  readonly idle: Summary;
}

export async function benchMass(c: MassCase): Promise<MassResult> {
  collectGarbage();
  const runtime = createRuntime();
  const comps: LiveComponent<any>[] = [];
  for (let i = 0; i < c.instances; i++) comps.push(runtime.start(jobLineage, { version: 1, id: `job-${i}`, input: {} }));
  // live instances of a running server are old: a full collection moves them out of the young
  // generation, where the first run's scavenges would otherwise copy the components themselves
  collectGarbage();
  const probe = loopProbe();
  const totals: number[] = [];
  const blocks: number[] = [];
  const reportBlocks: number[] = [];
  const gcs: number[] = [];
  const idle: number[] = [];
  let progressCalls = 0;
  let gcMax = 0;
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMax = Math.max(gcMax, e.duration);
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  try {
    for (let run = 0; run < c.runs; run++) {
      const to = run % 2 === 0 ? 2 : 1;
      progressCalls = 0;
      await probe.read();
      probe.reset();
      gcMax = 0;
      const t = performance.now();
      const r = await runtime.swapAll(
        comps.map((component) => ({ component, target: to })),
        { onProgress: () => void progressCalls++ },
      );
      const took = performance.now() - t;
      totals.push(took);
      blocks.push(await probe.read());
      await new Promise((resolve) => setImmediate(resolve)); // the observer's entries of the window
      gcs.push(gcMax);
      reportBlocks.push(r.blockUs / 1000);
      probe.reset();
      await new Promise((resolve) => setTimeout(resolve, took));
      idle.push(await probe.read());
      if (r.outcome !== 'committed') throw new Error(`mass swapAll refused: ${JSON.stringify(r.reports.find((x) => x.outcome === 'refused')?.blockers)}`);
    }
  } finally {
    probe.stop();
    gcObserver.disconnect();
    await runtime.stop();
  }
  return { instances: c.instances, total: summarize(totals), maxBlock: summarize(blocks), progressCalls, reportBlock: summarize(reportBlocks), gc: summarize(gcs), idle: summarize(idle) };
}

/**
 * {@link benchMass} in a fresh process started with `nodeFlags` (this file run with `--only mass`):
 * the same swapAll where nothing else ran before it, and with V8 flags a deployer may set (e.g.
 * `--max-semi-space-size=4`: a smaller young generation, shorter scavenges). Its keys, or `undefined`
 * when the child failed.
 */
export function benchMassInChild(nodeFlags: readonly string[], runs: number): Record<string, number> | undefined {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [...nodeFlags, '--import', 'tsx', self, '--only', 'mass', '--runs', String(runs)], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) return undefined;
  try {
    return JSON.parse(r.stdout) as Record<string, number>;
  } catch {
    return undefined;
  }
}

/** The keys bench/run.ts writes to bench/results/latest.json. */
export function bigStateResults(big: readonly BigStateResult[], mass: MassResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const b of big) {
    const k = `swap.${b.label}`;
    out[`${k}.loop_block_p99_ms`] = round(b.loopBlock.p99, 2);
    out[`${k}.loop_block_first_p50_ms`] = round(b.firstLoopBlock.p50, 2);
    out[`${k}.loop_block_repeat_p50_ms`] = round(b.repeatLoopBlock.p50, 2);
    out[`${k}.pause_p99_ms`] = round(b.pause.p99, 2);
    out[`${k}.report_block_p99_ms`] = round(b.block.p99, 2);
    out[`${k}.hash_p50_ms`] = round(b.hash.p50, 2);
    out[`${k}.naive_p50_ms`] = round(b.naive.p50, 2);
    out[`${k}.precopy_p50_ms`] = round(b.precopy.p50, 2);
    out[`${k}.gc_max_ms`] = round(b.gc.max, 2);
    out[`${k}.idle_gap_p99_ms`] = round(b.idle.p99, 2);
    out[`${k}.cpu_block_p99_ms`] = round(b.cpuBlock.p99, 2);
    out[`${k}.loop_block_samples`] = b.loopBlock.n;
  }
  out['mass.instances'] = mass.instances;
  out['mass.swap_10k_ms'] = round(mass.total.p50, 1);
  out['mass.max_loop_block_ms'] = round(mass.maxBlock.max, 2);
  out['mass.progress_calls'] = mass.progressCalls;
  out['mass.report_block_max_ms'] = round(mass.reportBlock.max, 2);
  out['mass.gc_max_ms'] = round(mass.gc.max, 2);
  out['mass.idle_gap_max_ms'] = round(mass.idle.max, 2);
  return out;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, runs: { type: 'string' } }, allowPositionals: false });
  const quick = values.quick === true;
  const cases: BigStateCase[] = [
    { label: '100kb', bytes: 100_000, iterations: quick ? 10 : 30 },
    { label: '10mb', bytes: 10_000_000, iterations: quick ? 3 : 8 },
  ];
  const big: BigStateResult[] = [];
  if (values.only !== 'mass') for (const c of cases) big.push(await benchBigState(c));
  const mass = values.only === 'big' ? { instances: 0, total: summarize([0]), maxBlock: summarize([0]), progressCalls: 0, reportBlock: summarize([0]), gc: summarize([0]), idle: summarize([0]) } : await benchMass({ instances: 10_000, runs: values.runs === undefined ? (quick ? 2 : 4) : Number(values.runs) });
  console.log(JSON.stringify(bigStateResults(big, mass), null, 2));
}
