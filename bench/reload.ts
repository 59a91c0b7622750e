/**
 * Worker hosting: old code released, event throughput, swap pause and reload time.
 *
 * - heap: bench/_internal/reload-loop.ts in two child nodes (--expose-gc, fresh heaps): N reloads of a
 *   plugin module holding ~8 MB of module data, worker-hosted vs in-process; main-heap growth after GC.
 * - throughput: `send` on a worker-hosted counter (until the worker has processed the last event) vs
 *   `send` on the same counter in-process, alternating rounds; the ratio of medians.
 * - swap pause: drained replacements (a new worker each, v1 ↔ v2 of the job lineage) vs the same
 *   swaps in-process; `pauseUs` of each report (the time events were held).
 * - reload: plugin files written one after the other into a directory `watchPlugins` watches for a
 *   worker-hosted component; from the file written (its `writeFile` resolved) to the watcher's
 *   `swap-committed` event — the watcher's stability window (`stableMs`, default 200) included.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { createRuntime } from 'hotswap';
import { type PluginEvent, watchPlugins } from 'hotswap/plugin';
import { hostInWorker } from 'hotswap/worker';
import { counterLineage, type CounterEvent } from './_internal/machines.ts';
import { median, round, summarize, type Summary } from './_internal/stats.ts';

export interface ReloadConfig {
  readonly reloads: number;
  readonly throughputRounds: number;
  readonly eventsPerRound: number;
  readonly swaps: number;
  /** Run the children on the TypeScript sources (`--conditions=source`). */
  readonly source: boolean;
}

export interface ReloadResult {
  readonly heapGrowthMb: number;
  readonly inprocessGrowthMb: number;
  readonly heapGrowthRatio: number;
  /** File written → swap committed, through `watchPlugins` (p50). */
  readonly reloadMs: number;
  /** The watcher's stability window, part of `reloadMs`. */
  readonly reloadStableMs: number;
  /** `swap({ module })` call → committed, in the heap loop (p50). */
  readonly swapCallMs: number;
  readonly throughputRatio: number;
  readonly workerOpsPerS: number;
  readonly inprocessOpsPerS: number;
  readonly pause: Summary;
  readonly inprocessPause: Summary;
}

const run = promisify(execFile);
const loop = fileURLToPath(new URL('./_internal/reload-loop.ts', import.meta.url));

async function reloadLoop(mode: 'worker' | 'inprocess', reloads: number, source: boolean): Promise<{ growthMb: number; reloadMsP50: number }> {
  const args = ['--expose-gc', '--max-old-space-size=4096', '--import', 'tsx', ...(source ? ['--conditions=source'] : []), loop, mode, String(reloads)];
  const { stdout } = await run(process.execPath, args, { maxBuffer: 1 << 22 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { growthMb: number; reloadMsP50: number };
}

const inc: CounterEvent = { type: 'INC', by: 1 };

async function throughput(rounds: number, n: number): Promise<{ worker: number; inprocess: number }> {
  const hosted = await hostInWorker<CounterEvent>({ module: new URL('./_internal/hosted-counter.ts', import.meta.url), component: 'counter', mailboxCapacity: n });
  const runtime = createRuntime();
  const local = runtime.start(counterLineage);
  const w: number[] = [];
  const l: number[] = [];
  for (let r = 0; r < rounds + 2; r++) {
    let t = performance.now();
    for (let i = 0; i < n; i++) local.send(inc);
    const localOps = n / ((performance.now() - t) / 1000);
    t = performance.now();
    for (let i = 0; i < n; i++) hosted.send(inc);
    await new Promise<void>((resolve) => {
      const check = (): void => void (hosted.pending === 0 ? resolve() : setImmediate(check));
      check();
    });
    const workerOps = n / ((performance.now() - t) / 1000);
    if (r >= 2) {
      l.push(localOps);
      w.push(workerOps);
    }
  }
  await hosted.stop();
  await runtime.stop();
  return { worker: median(w), inprocess: median(l) };
}

async function swapPauses(swaps: number): Promise<{ worker: number[]; inprocess: number[] }> {
  const module = new URL('./_internal/hosted-job.ts', import.meta.url);
  const hosted = await hostInWorker<{ type: 'TICK' }>({ module, component: 'job', version: 1, input: {} });
  const runtime = createRuntime();
  const { jobLineage } = await import('./_internal/machines.ts');
  const local = runtime.start(jobLineage, { version: 1, input: {} });
  const worker: number[] = [];
  const inprocess: number[] = [];
  for (let i = 0; i < swaps; i++) {
    const to = hosted.version === 1 ? 2 : 1;
    hosted.send({ type: 'TICK' });
    const r = await hosted.swap({ module, version: to });
    if (r.outcome !== 'committed') throw new Error(`worker swap refused: ${JSON.stringify(r.blockers)}`);
    worker.push(r.pauseUs);
    const s = await local.swap(local.version === 1 ? 2 : 1);
    if (s.outcome !== 'committed') throw new Error(`in-process swap refused: ${JSON.stringify(s.blockers)}`);
    inprocess.push(s.pauseUs);
  }
  await hosted.stop();
  await runtime.stop();
  return { worker, inprocess };
}

/** WATCHED_STABLE_MS: the watcher's default, what a server using the README's lines gets. */
const WATCHED_STABLE_MS = 200;

/**
 * A worker plugin file for `watched`: self-contained JavaScript (so the built package's workers load
 * it without tsx), re-exporting the lineage v1 … v(n-1) and default-exporting the plugin for v`n`.
 */
function watchedPlugin(n: number): string {
  const url = (s: string): string => JSON.stringify(import.meta.resolve(s));
  return `import { defineVersion, lineage } from ${url('hotswap')};
import { definePlugin } from ${url('hotswap/plugin')};
import { assign, setup } from ${url('xstate')};
const make = (version) => defineVersion({ version, machine: setup({}).createMachine({ id: 'hits', context: { hits: 0 }, on: { HIT: { actions: assign({ hits: ({ context }) => context.hits + 1 }) } } }) });
const same = { up: (s) => s, down: (s) => s };
let base = lineage('hits', make(1));
for (let v = 2; v < ${n}; v++) base = base.next(make(v), same);
export { base as lineage };
${n === 1 ? '' : `export default definePlugin({ component: 'hits', from: ${n - 1}, version: make(${n}), link: same });`}
`;
}

async function watched(reloads: number): Promise<number[]> {
  const root = await mkdtemp(join(tmpdir(), 'hotswap-watched-'));
  try {
    await writeFile(join(root, 'base.mjs'), watchedPlugin(1));
    const hosted = await hostInWorker<{ type: 'HIT' }>({ module: pathToFileURL(join(root, 'base.mjs')), component: 'hits' });
    const dir = join(root, 'plugins');
    await import('node:fs/promises').then((fs) => fs.mkdir(dir));
    let committed: ((e: PluginEvent) => void) | undefined;
    const watcher = watchPlugins(dir, { component: hosted, stableMs: WATCHED_STABLE_MS, onEvent: (e) => committed?.(e) });
    await watcher.ready;
    const ms: number[] = [];
    for (let v = 2; v <= reloads + 2; v++) {
      hosted.send({ type: 'HIT' });
      const done = new Promise<void>((resolve, reject) => {
        committed = (e) => {
          if (e.type === 'swap-committed' && e.to === v) resolve();
          else if (e.type === 'swap-refused' || e.type === 'load-refused' || e.type === 'error') reject(new Error(`watched reload to v${v}: ${JSON.stringify(e)}`));
        };
      });
      await writeFile(join(dir, `hits-v${v}.mjs`), watchedPlugin(v));
      const t = performance.now();
      await done;
      if (v > 2) ms.push(performance.now() - t); // the first reload warms the host's code paths
    }
    await watcher.close();
    await hosted.stop();
    return ms;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

export async function benchReload(config: ReloadConfig): Promise<ReloadResult> {
  const worker = await reloadLoop('worker', config.reloads, config.source);
  const inprocess = await reloadLoop('inprocess', config.reloads, config.source);
  const tp = await throughput(config.throughputRounds, config.eventsPerRound);
  const pauses = await swapPauses(config.swaps);
  const reloads = await watched(config.swaps);
  return {
    heapGrowthMb: round(worker.growthMb, 2),
    inprocessGrowthMb: round(inprocess.growthMb, 1),
    heapGrowthRatio: round(worker.growthMb / inprocess.growthMb, 4),
    reloadMs: round(median(reloads), 1),
    reloadStableMs: WATCHED_STABLE_MS,
    swapCallMs: round(worker.reloadMsP50, 1),
    throughputRatio: round(tp.worker / tp.inprocess, 3),
    workerOpsPerS: Math.round(tp.worker),
    inprocessOpsPerS: Math.round(tp.inprocess),
    pause: summarize(pauses.worker),
    inprocessPause: summarize(pauses.inprocess),
  };
}
