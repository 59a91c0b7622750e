/**
 * `npm run bench:diagnostics`: what the diagnostics channels cost on the swap path. Two measurements,
 * each with its baseline in the same run:
 *
 * 1. the guard alone, as the swap path runs it with nobody subscribed (`traceSwap` around the run,
 *    `phaseFeed` and its six calls), against calling the run directly — ns per swap;
 * 2. whole swaps (the tiny job lineage, v1 ⇄ v2) with nobody subscribed, against the same swaps with
 *    no-op subscribers on every channel, in alternating blocks so a busy machine slows both alike.
 *
 * Prints a table and writes flat JSON to `bench/results/diagnostics.json` (or `--out <file>`).
 * `--swaps` per block and `--rounds` set the size (the defaults are the quick form).
 */
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ChannelNames, createRuntime, type SwapReport } from 'hotswap';
import { phaseFeed, traceSwap, type TracedSwap } from '../src/diagnostics/channels.ts';
import { jobLineage } from './_internal/machines.ts';
import { round, summarize } from './_internal/stats.ts';
import { table, us } from './_internal/table.ts';

const { values: args } = parseArgs({
  options: { out: { type: 'string' }, swaps: { type: 'string', default: '200' }, rounds: { type: 'string', default: '6' }, calls: { type: 'string', default: '2000000' } },
  allowPositionals: false,
});
const here = dirname(fileURLToPath(import.meta.url));
const outFile = resolve(args.out ?? `${here}/results/diagnostics.json`);
const swapsPerBlock = Number(args.swaps);
const rounds = Number(args.rounds);
const calls = Number(args.calls);
const load = loadavg()[0]!;

// ── 1. the guard alone ─────────────────────────────────────────────────────
const fakeTx: TracedSwap = { id: 'x', core: { name: 'job', id: 'job#1' }, from: 1, targetNumber: 2, timings: {}, phase: undefined, blockers: [] };
const report = Promise.resolve({} as SwapReport);
const runIt = (): Promise<SwapReport> => report;
let sink = 0;
function direct(n: number): number {
  const t = performance.now();
  for (let i = 0; i < n; i++) if (runIt() === report) sink++;
  return ((performance.now() - t) * 1e6) / n;
}
function guarded(n: number): number {
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    const feed = phaseFeed(fakeTx);
    const p = traceSwap(fakeTx, 'swap', runIt);
    feed(); feed(); feed(); feed(); feed(); feed(); // as often as runSwap calls it
    if (p === report) sink++;
  }
  return ((performance.now() - t) * 1e6) / n;
}
const guardNs: number[] = [];
const directNs: number[] = [];
for (let r = 0; r < rounds; r++) {
  directNs.push(direct(calls / rounds));
  guardNs.push(guarded(calls / rounds));
}

// ── 2. whole swaps, unsubscribed vs subscribed ────────────────────────────
const noop = (): void => undefined;
const handlers = { start: noop, end: noop, asyncStart: noop, asyncEnd: noop, error: noop };
const listen = (on: boolean): void => {
  for (const name of [ChannelNames.swap, ChannelNames.swapAll, ChannelNames.pluginLoad]) {
    if (on) tracingChannel(name).subscribe(handlers);
    else tracingChannel(name).unsubscribe(handlers);
  }
  if (on) subscribe(ChannelNames.phase, noop);
  else unsubscribe(ChannelNames.phase, noop);
};
async function block(n: number, into: number[]): Promise<void> {
  const runtime = createRuntime({ journal: { append: () => undefined, entries: () => [] } });
  const c = runtime.start(jobLineage, { version: 1, input: {} });
  for (let i = 0; i < n; i++) {
    const r = await c.swap(c.version === 1 ? 2 : 1);
    if (r.outcome !== 'committed') throw new Error('bench: a swap was refused');
    into.push(r.totalUs);
  }
  await runtime.stop();
}
const off: number[] = [];
const on: number[] = [];
await block(100, []); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const mode of r % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
    listen(mode === 'on');
    await block(swapsPerBlock, mode === 'off' ? off : on);
    listen(false);
  }
}

const guard = summarize(guardNs.map((g, i) => g - directNs[i]!));
const offS = summarize(off);
const onS = summarize(on);
const result = {
  load1: round(load, 2),
  guard_ns_per_swap_p50: round(guard.p50, 1),
  direct_ns_p50: round(summarize(directNs).p50, 1),
  guarded_ns_p50: round(summarize(guardNs).p50, 1),
  swap_unsubscribed_us_p50: round(offS.p50),
  swap_unsubscribed_us_p90: round(offS.p90),
  swap_subscribed_us_p50: round(onS.p50),
  swap_subscribed_us_p90: round(onS.p90),
  guard_share_of_swap_pct: round((guard.p50 / 1000 / offS.p50) * 100, 4),
  swaps_per_mode: offS.n,
};
process.stdout.write(
  `${table(
    ['measure', 'p50', 'p90'],
    [
      ['guard, nobody subscribed (ns per swap, over a direct call)', `${result.guard_ns_per_swap_p50} ns`, ''],
      ['swap call → report, nobody subscribed', us(offS.p50), us(offS.p90)],
      ['swap call → report, no-op subscribers on every channel', us(onS.p50), us(onS.p90)],
    ],
  )}\n\nguard = ${result.guard_share_of_swap_pct}% of an unsubscribed swap; load ${result.load1}; ${offS.n} swaps per mode; sink ${sink > 0 ? 'ok' : '0'}\n`,
);
writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
