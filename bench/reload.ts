/**
 * Worker hosting: old code released, event throughput, swap pause and reload time.
 *
 * - heap: bench/_internal/reload-loop.ts in two child nodes (--expose-gc, fresh heaps): N reloads of a
 *   plugin module holding ~8 MB of module data, worker-hosted vs in-process; main-heap growth after GC.
 * - throughput: `send` on a worker-hosted counter (until the worker has processed the last event) vs
 *   `send` on the same counter in-process, alternating rounds; the ratio of medians.
 * - swap pause: drained replacements (a new worker each, v1 ↔ v2 of the job lineage) vs the same
 *   swaps in-process; `pauseUs` of each report (the time events were held).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createRuntime } from 'hotswap';
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
  readonly reloadMs: number;
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

export async function benchReload(config: ReloadConfig): Promise<ReloadResult> {
  const worker = await reloadLoop('worker', config.reloads, config.source);
  const inprocess = await reloadLoop('inprocess', config.reloads, config.source);
  const tp = await throughput(config.throughputRounds, config.eventsPerRound);
  const pauses = await swapPauses(config.swaps);
  return {
    heapGrowthMb: round(worker.growthMb, 2),
    inprocessGrowthMb: round(inprocess.growthMb, 1),
    heapGrowthRatio: round(worker.growthMb / inprocess.growthMb, 4),
    reloadMs: round(worker.reloadMsP50, 1),
    throughputRatio: round(tp.worker / tp.inprocess, 3),
    workerOpsPerS: Math.round(tp.worker),
    inprocessOpsPerS: Math.round(tp.inprocess),
    pause: summarize(pauses.worker),
    inprocessPause: summarize(pauses.inprocess),
  };
}
