/**
 * `npm run demo`: the plugin server under HTTP load while its worker-hosted rate limiter is swapped
 * from plugin files — on embedded defaults, bounded in time (well under a minute).
 *
 * It starts examples/plugin-server (a `node:http` server on loopback; each request decided by the
 * rate limiter in a worker, v1), with a fresh plugins directory it watches, and drives keep-alive load
 * at it. While the load runs it copies v2, then v3 into the directory (each swapped in: a new worker,
 * the state and the pending refill timer migrated), then a half-written v4 that does not parse
 * (refused at load) and a v4 whose migration breaks the invariant on the live values (refused at
 * verify); v3 keeps serving through both. Every swap is on probation (its old worker kept paused for
 * the window): last, a v4 that passes every swap check but throttles every request
 * (flawed/rate-limiter-v4.ts) commits, fails the server's health check within its window and is rolled
 * back — v3 resumes from its state at the commit and every request accepted since is redelivered to it.
 *
 * The summary: requests sent / succeeded / failed, latency p50/p99 outside and during swaps, each swap's
 * outcome and pause (the rollback: its cause, the requests redelivered, the switch-back time), the main
 * thread's heap before and after the reloads, the journal file. The limiter counts and checks the
 * numbered requests itself (its counters migrate with it, and roll back with it); exit 1 if a request
 * failed, an accepted request was lost or processed twice, or a swap did not end as planned.
 *
 * Options: `--connections N` (8), `--step-ms N` pause between steps (1500), `--probation-ms N` each
 * swap's probation window (2000), `--max-seconds N` (50).
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { ProbationOutcome, SwapReport } from '../src/index.ts';
import type { PluginEvent } from '../src/plugin/index.ts';
import { quantile, type Sample, startLoad } from './plugin-server/load.ts';
import { causeText, startPluginServer } from './plugin-server/server.ts';

const { values } = parseArgs({
  options: { connections: { type: 'string', default: '8' }, 'step-ms': { type: 'string', default: '1500' }, 'probation-ms': { type: 'string', default: '2000' }, 'max-seconds': { type: 'string', default: '50' } },
});
const CONNECTIONS = Number(values.connections);
const STEP_MS = Number(values['step-ms']);
const PROBATION_MS = Number(values['probation-ms']);
const MAX_MS = Number(values['max-seconds']) * 1000;
if (![CONNECTIONS, STEP_MS, PROBATION_MS, MAX_MS].every((n) => Number.isFinite(n) && n > 0)) {
  console.error(`Expected --connections, --step-ms, --probation-ms and --max-seconds to be positive numbers, got ${values.connections}, ${values['step-ms']}, ${values['probation-ms']}, ${values['max-seconds']}`);
  process.exit(2);
}

const home = fileURLToPath(new URL('./plugin-server/', import.meta.url));
const shipped = join(home, 'plugins');
// next to limiter.ts, so the plugin files' `../limiter.ts` resolves as it does in plugins/
const dir = await mkdtemp(join(home, '.plugins-'));
const work = await mkdtemp(join(tmpdir(), 'hotswap-demo-'));
const tty = process.stdout.isTTY === true;
const t0 = performance.now();
const secs = (): string => `${((performance.now() - t0) / 1000).toFixed(1).padStart(4)}s`;
const ms = (us: number): string => `${(us / 1000).toFixed(1)} ms`;
const fmt = (n: number): string => n.toLocaleString('en-US');
const gc = (globalThis as { gc?: () => void }).gc;
const heapMb = (): number => {
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

type Outcome = 'committed' | 'refused' | 'rolled-back';
interface Attempt {
  readonly label: string;
  readonly want: Outcome;
  outcome?: Outcome;
  /** The committed swap's report (its probation's outcome is matched by its id). */
  swap?: SwapReport;
  detail?: string;
  /** The version a rollback took out of service (its answers stand: a rollback does not undo them). */
  failed?: number;
  /** The swap's span, and the rollback's. */
  readonly windows: Array<readonly [number, number]>;
}
const attempts: Attempt[] = [];
const events: PluginEvent[] = [];
let lastSwap = 'none yet';

const clear = (): void => void (tty && process.stdout.write('\r\x1b[K'));
const say = (line: string): void => {
  clear();
  console.log(`[${secs()}] ${line}`);
};
/** One line of an error text: paths shown relative to the plugins directory, the esbuild error line kept. */
const brief = (text: string): string => {
  const lines = text.replaceAll(pathToFileURL(dir).href, 'plugins').replaceAll(dir, 'plugins').split('\n');
  const where = lines.find((l) => /:\d+:\d+: ERROR/.test(l));
  return `${lines[0]!.replace(/: TransformError: .*$/, '')}${where !== undefined ? ` (${where.trim().replace(/^plugins\//, '')})` : ''}`;
};
/** A journal entry that records a probation's rollback (its own entry, after the swap's `committed` one). */
const isRollback = (e: { readonly outcome: string }): boolean => e.outcome === 'rolled-back';
/** How many accepted events a rollback redelivered (its `rolledBack.redelivered`, else what it held). */
const redeliveredOf = (r: { readonly held: number; readonly rolledBack?: { readonly redelivered?: number } }): number => r.rolledBack?.redelivered ?? r.held;
const onEvent = (e: PluginEvent): void => {
  events.push(e);
  if (e.type === 'probation-ended') return probationEnded(e.outcome);
  if (e.type === 'load-refused') say(`refused at load ${basename(e.file)}: ${e.refusal.code} — ${brief(e.refusal.message)}`);
  if (e.type !== 'swap-committed' && e.type !== 'swap-refused') return;
  const at = Date.parse(e.report.at) - performance.timeOrigin;
  const a = attempts.at(-1);
  if (a !== undefined && a.outcome === undefined && a.detail === undefined) {
    a.windows.push([at, at + e.report.totalUs / 1000]);
    if (e.type === 'swap-committed') {
      a.swap = e.report;
      a.detail = `pause ${ms(e.report.pauseUs)}, held ${e.report.held}, ${ms(e.report.totalUs)} in all`;
      // one that should fail its probation has no outcome until the probation ends
      if (a.want !== 'rolled-back') a.outcome = 'committed';
    } else {
      a.outcome = 'refused';
      a.detail = `at ${e.report.phase}: ${e.blockers.map((b) => `${b.kind}: ${brief(b.message)}`).join('; ')}`;
    }
  }
  lastSwap = `v${e.from} → v${e.to} ${e.report.outcome}${e.type === 'swap-committed' ? ` (pause ${ms(e.report.pauseUs)})` : ''}`;
  say(`swap v${e.from} → v${e.to} ${e.report.outcome}${a?.detail !== undefined ? `: ${a.detail}` : ''}`);
};
/** The watcher's `probation-ended`: how the probation of the attempt's committed swap ended. */
function probationEnded(o: ProbationOutcome): void {
  const a = attempts.find((x) => x.swap?.id === o.swapId);
  const swap = a?.swap;
  if (swap === undefined) return say(`probation of swap ${o.swapId} ended ${o.outcome}`);
  if (o.outcome === 'permanent') {
    if (a !== undefined && a.outcome === undefined) a.outcome = 'committed';
    return say(`probation of v${swap.from} → v${swap.to} passed: permanent after ${fmt(o.events)} requests`);
  }
  if (o.outcome === 'rollback-failed') {
    if (a !== undefined) a.detail = `${a.detail ?? ''}; its rollback failed: ${o.error}`;
    return say(`probation of v${swap.from} → v${swap.to} failed (${causeText(o.cause)}), and the rollback failed: ${o.error}`);
  }
  const r = o.report;
  const end = Date.parse(r.at) - performance.timeOrigin;
  const onProbationMs = end - r.totalUs / 1000 - (Date.parse(swap.at) - performance.timeOrigin + swap.totalUs / 1000);
  const redelivered = redeliveredOf(r);
  if (a !== undefined) {
    a.outcome = 'rolled-back';
    a.failed = swap.to;
    a.windows.push([end - r.totalUs / 1000, end]);
    a.detail = `committed (${a.detail ?? ''}), then failed its probation after ${Math.round(onProbationMs)} ms: ${causeText(o.cause)}; ${fmt(redelivered)} requests redelivered to v${swap.from}, switched back in ${ms(r.totalUs)}`;
  }
  lastSwap = `v${swap.to} rolled back to v${swap.from}`;
  say(`rolled back v${swap.to} → v${swap.from}: ${causeText(o.cause)}; ${fmt(redelivered)} requests redelivered, switched back in ${ms(r.totalUs)}`);
}

console.log('hotswap demo: an HTTP server whose rate limiter runs in a worker, swapped from plugin files under load');
const server = await startPluginServer({ pluginsDir: dir, journalFile: join(work, 'journal.jsonl'), onEvent, probation: { ms: PROBATION_MS } });
console.log(`server ${server.url} · plugins ${basename(dir)}/ · ${CONNECTIONS} keep-alive connections · limiter v${server.limiter.version} in worker ${server.limiter.threadId}`);

const load = startLoad({ url: server.url, connections: CONNECTIONS, maxRequests: 1_000_000, maxMs: MAX_MS, clients: ['web-1', 'web-2', 'web-3', 'admin-1'] });
const failed = (): number => load.samples.filter((s) => s.status !== 200 && s.status !== 429).length;
const progress = tty
  ? setInterval(() => {
      process.stdout.write(`\r\x1b[K${secs()} requests ${fmt(load.sent)} (${failed()} failed) · serving v${server.limiter.version} · last swap ${lastSwap}`);
    }, 200)
  : undefined;
const sleep = (n: number): Promise<void> => new Promise((r) => setTimeout(r, n));
const settled = async (): Promise<void> => {
  const a = attempts.at(-1)!;
  const limit = performance.now() + 30_000;
  while (a.outcome === undefined && performance.now() < limit) await sleep(20);
  if (a.outcome === undefined) a.detail = `${a.detail === undefined ? '' : `${a.detail}; `}no outcome within 30 s`;
};

// warm up, then measure the heap before any reload
await sleep(STEP_MS);
const heapBefore = heapMb();
const deploy = async (label: string, want: Attempt['want'], put: () => Promise<void>): Promise<void> => {
  attempts.push({ label, want, windows: [] });
  say(`deploy: ${label}`);
  await put();
  await settled();
  await sleep(STEP_MS);
};
const target = join(dir, 'rate-limiter-v4.ts');
await deploy('copy rate-limiter-v2.ts', 'committed', () => copyFile(join(shipped, 'rate-limiter-v2.ts'), join(dir, 'rate-limiter-v2.ts')));
await deploy('copy rate-limiter-v3.ts', 'committed', () => copyFile(join(shipped, 'rate-limiter-v3.ts'), join(dir, 'rate-limiter-v3.ts')));
const v4 = await readFile(join(shipped, 'rate-limiter-v4.ts'), 'utf8');
await deploy('write a half-copied rate-limiter-v4.ts', 'refused', () => writeFile(target, v4.slice(0, v4.indexOf('link:'))));
await deploy('copy rate-limiter-v4.ts (its migration breaks the invariant)', 'refused', () => copyFile(join(shipped, 'rate-limiter-v4.ts'), target));
await deploy('copy flawed/rate-limiter-v4.ts (it throttles every request)', 'rolled-back', () => copyFile(join(home, 'flawed', 'rate-limiter-v4.ts'), target));
load.stop();
const samples = await load.done;
if (progress !== undefined) clearInterval(progress);
clear();

// every answered request was decided by the component; wait for what it still has in hand
const until = performance.now() + 10_000;
while ((server.waiting > 0 || server.stats().processed < server.accepted) && performance.now() < until) await sleep(20);
const heapAfter = heapMb();
const stats = server.stats();
const journal = await server.journal.entries();
const journalPath = server.journal.path;

const ok = samples.filter((s) => s.status === 200 || s.status === 429);
const bad = samples.filter((s) => s.status !== 200 && s.status !== 429);
const windows = attempts.flatMap((a) => a.windows);
const during = (s: Sample): boolean => windows.some(([a, b]) => s.start < b && s.end > a);
const lat = (xs: readonly Sample[]): string => {
  const d = xs.map((s) => s.end - s.start);
  return `p50 ${quantile(d, 0.5).toFixed(2)} ms, p99 ${quantile(d, 0.99).toFixed(2)} ms (${fmt(xs.length)} requests)`;
};
const lost = stats.gaps + Math.max(0, server.accepted - stats.processed);
const byVersion = new Map<number, number>();
for (const s of ok) byVersion.set(s.version ?? 0, (byVersion.get(s.version ?? 0) ?? 0) + 1);

console.log('');
console.log(`requests:   sent ${fmt(samples.length)} · succeeded ${fmt(ok.length)} (200 admitted ${fmt(samples.filter((s) => s.status === 200).length)}, 429 throttled ${fmt(samples.filter((s) => s.status === 429).length)}) · failed ${bad.length}`);
for (const s of bad.slice(0, 3)) console.log(`            failed: status ${s.status} ${s.error ?? ''}`);
console.log(`decided by: ${[...byVersion].sort(([a], [b]) => a - b).map(([v, n]) => `v${v} ${fmt(n)}`).join(' · ')}`);
console.log(`latency:    outside swap attempts ${lat(samples.filter((s) => !during(s)))}`);
console.log(`            during swap attempts  ${lat(samples.filter(during))} (an attempt: file loaded by a candidate worker, then the pause)`);
console.log('swaps:');
attempts.forEach((a, i) => console.log(`  ${i + 1}. ${a.label.padEnd(62)} ${(a.outcome ?? 'no outcome').padEnd(11)} ${a.detail ?? ''}`));
const rollbacks = journal.filter(isRollback).length;
const migrations = journal.filter((e) => e.ok && !isRollback(e)).length;
console.log(`exactly once: accepted ${fmt(server.accepted)}, processed ${fmt(stats.processed)} (counted by the limiter across ${migrations} migrations and ${rollbacks} rollback${rollbacks === 1 ? '' : 's'}): lost ${lost}, duplicated ${stats.dupes}; admitted ${fmt(stats.admitted)} + throttled ${fmt(stats.throttled)}`);
console.log(`serving:    v${stats.version}`);
console.log(`heap:       main thread ${heapBefore.toFixed(1)} MB before the reloads, ${heapAfter.toFixed(1)} MB after${gc ? '' : ' (run with --expose-gc for collected figures)'}`);
console.log(`journal:    ${journalPath} — ${journal.length} entries: ${journal.map((e) => `v${e.from}→v${e.to} ${isRollback(e) ? 'rolled-back' : e.outcome}`).join(', ')}`);

// The answers a rolled-back version gave stand (a rollback does not undo side effects), while the
// state it left is dropped: the old version re-decided those requests, once, from its commit-time state.
// So the limiter's counts equal the surviving versions' answers plus the old version's re-decisions of
// the answered-then-rolled-back requests: between the two bounds below.
const rolledBack = new Set(attempts.flatMap((a) => (a.failed === undefined ? [] : [a.failed])));
const standing = ok.filter((s) => rolledBack.has(s.version ?? 0));
const surviving = (status: number): number => ok.filter((s) => s.status === status && !rolledBack.has(s.version ?? 0)).length;
const within = (n: number, least: number): boolean => n >= least && n <= least + standing.length;
console.log(
  rolledBack.size === 0
    ? `probation:  every swap on probation for ${fmt(PROBATION_MS)} ms; none rolled back`
    : `probation:  every swap on probation for ${fmt(PROBATION_MS)} ms; v${[...rolledBack].join(', v')} rolled back — its ${fmt(standing.length)} answers (${fmt(standing.filter((s) => s.status === 429).length)} × 429) stand, a rollback does not undo them; the limiter re-decided those requests once (admitted ${fmt(stats.admitted - surviving(200))}, throttled ${fmt(stats.throttled - surviving(429))})`,
);

const admittedMatch = within(stats.admitted, surviving(200)) && within(stats.throttled, surviving(429)) && stats.admitted + stats.throttled === stats.processed;
const asPlanned = attempts.every((a) => a.outcome === a.want);
const pass = bad.length === 0 && lost === 0 && stats.dupes === 0 && stats.processed === server.accepted && admittedMatch && asPlanned;
console.log(pass ? `proved: ${fmt(samples.length)} requests, 0 failed, every accepted request processed exactly once, every swap as planned` : `FAILED:${bad.length > 0 ? ' failed requests' : ''}${lost > 0 || stats.dupes > 0 ? ' lost or duplicated requests' : ''}${admittedMatch ? '' : ' answers disagree with the limiter'}${asPlanned ? '' : ' a swap did not end as planned'}`);

await server.close();
await rm(dir, { recursive: true, force: true });
process.exitCode = pass ? 0 : 1;
