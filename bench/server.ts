/**
 * The plugin server under HTTP load, with and without swaps: `server.p99_ratio_tiny` is the HTTP p99
 * latency while the worker-hosted rate limiter is swapped every 100 ms ÷ the p99 without swaps.
 *
 * Each measurement is a fresh server process (bench/_internal/server-child.ts: examples/plugin-server,
 * the limiter in a worker, run from the TypeScript sources through tsx), loaded from this process by
 * `connections` keep-alive connections (examples/plugin-server/load.ts, `performance.now()` per
 * request, bounded by time): at `rate` requests/s, open loop (the issue's measure: 2,000/s; a request
 * that waits for a busy connection counts its wait), or without `rate` closed loop, as fast as answers
 * come (the server saturated: load generator, main thread and worker on two cores). The first `coldMs` of load are the *cold* window (fresh process, JIT not
 * warmed), the last `warmMs` the *warmed* one. Quiet and swapping processes alternate, `runs` pairs.
 * The swaps are in-worker v2 ⇄ v3 swaps (the tiny state of the limiter; the worker holds both versions'
 * code), so the figure is the cost of the swap itself under load, not of starting a worker.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type Sample, startLoad } from '../examples/plugin-server/load.ts';
import { quantile, round, summarize } from './_internal/stats.ts';

export interface ServerConfig {
  readonly runs: number;
  /** The limiter's state sizes: `0` = as the demo runs it (tiny); otherwise padded to about that many bytes of JSON. */
  readonly sizes: readonly ServerSize[];
  readonly connections: number;
  readonly coldMs: number;
  readonly warmupMs: number;
  readonly warmMs: number;
  readonly everyMs: number;
  /**
   * Requests per second, open loop (examples/plugin-server/load.ts `rate`): the issue's own measure
   * (2,000 requests/s). Absent: closed loop, each connection sending as fast as answers come — the
   * server saturated (its two cores busy with the load generator, the main thread and the worker).
   */
  readonly rate?: number;
  /**
   * An A/A run: the "swapping" processes do not swap either, so the ratio reads the measurement's own
   * noise (two quiet processes against each other). `--aa` on the command line.
   */
  readonly aa?: boolean;
}

/** One state size of the plugin server: `label` names its keys (`server.p99_ratio_<label>`). */
export interface ServerSize {
  readonly label: string;
  readonly bytes: number;
}

export interface ServerWindow {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly n: number;
}

export interface ServerResult {
  readonly label: string;
  readonly stateBytes: number;
  readonly quiet: { readonly cold: ServerWindow; readonly warm: ServerWindow };
  readonly swaps: { readonly cold: ServerWindow; readonly warm: ServerWindow };
  readonly p99RatioCold: number;
  readonly p99RatioWarm: number;
  readonly failedRequests: number;
  readonly lostOrDuplicated: number;
  readonly swapCount: number;
  readonly swapRefused: number;
  readonly swapPauseP50Us: number;
  readonly swapPauseP99Us: number;
  /** The committed swaps' `blockUs` in the worker: the longest stretch it served no event batch. */
  readonly swapBlockP50Us: number;
  readonly swapBlockP99Us: number;
  readonly requestsPerS: number;
  /** The server's main-thread event-loop delay (p99 over the runs' p99s, and the max), quiet and swapping. */
  readonly mainLoopDelay: { readonly quiet: LoopDelay; readonly swaps: LoopDelay };
}

export interface LoopDelay {
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** The sizes `npm run bench` measures: the demo's own state, and the same limiter carrying a 100 KB and a 1 MB client directory. */
export const SERVER_SIZES: readonly ServerSize[] = [
  { label: 'tiny', bytes: 0 },
  { label: '100kb', bytes: 100_000 },
  { label: '1mb', bytes: 1_000_000 },
];

/** The request rate for the plugin server's p99 ratios (open loop). */
export const SERVER_RATE = 2_000;

const child = fileURLToPath(new URL('./_internal/server-child.ts', import.meta.url));

interface Run {
  readonly cold: Sample[];
  readonly warm: Sample[];
  readonly failed: number;
  readonly pausesUs: number[];
  readonly blocksUs: number[];
  readonly refused: number;
  readonly lostOrDuplicated: number;
  readonly perS: number;
  readonly loop: LoopDelay;
}

async function line(lines: AsyncIterator<string>, proc: ChildProcess): Promise<Record<string, unknown>> {
  const next = await lines.next();
  if (next.done === true) throw new Error(`server process ended early (exit ${proc.exitCode})`);
  return JSON.parse(next.value) as Record<string, unknown>;
}

async function once(mode: 'quiet' | 'swaps', c: ServerConfig, bytes: number): Promise<Run> {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, mode, String(c.everyMs), String(bytes)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  try {
    const { url } = (await line(lines, proc)) as { url: string };
    const total = c.coldMs + c.warmupMs + c.warmMs;
    const load = startLoad({ url, connections: c.connections, maxRequests: 10_000_000, maxMs: total, clients: ['a', 'b', 'c', 'admin-d'], ...(c.rate === undefined ? {} : { rate: c.rate }) });
    const t0 = performance.now();
    const samples = await load.done;
    proc.stdin.write('stop\n');
    const end = (await line(lines, proc)) as { pausesUs: number[]; blocksUs: number[]; refused: number; lost: number; duplicated: number; loopDelayP99Ms: number; loopDelayMaxMs: number };
    const ok = (s: Sample): boolean => s.status === 200 || s.status === 429;
    return {
      cold: samples.filter((s) => ok(s) && s.start - t0 < c.coldMs),
      warm: samples.filter((s) => ok(s) && s.start - t0 >= c.coldMs + c.warmupMs),
      failed: samples.filter((s) => !ok(s)).length,
      pausesUs: end.pausesUs,
      blocksUs: end.blocksUs,
      refused: end.refused,
      lostOrDuplicated: end.lost + end.duplicated,
      perS: samples.length / (total / 1000),
      loop: { p99Ms: end.loopDelayP99Ms, maxMs: end.loopDelayMaxMs },
    };
  } finally {
    proc.stdin.end();
    await new Promise((r) => (proc.exitCode !== null ? r(undefined) : proc.once('exit', r)));
  }
}

const window = (xs: readonly Sample[]): ServerWindow => {
  const d = xs.map((s) => s.end - s.start);
  return { p50Ms: round(quantile(d, 0.5), 3), p99Ms: round(quantile(d, 0.99), 3), n: d.length };
};

const loopOf = (runs: readonly Run[]): LoopDelay => ({
  p99Ms: round(Math.max(...runs.map((r) => r.loop.p99Ms)), 2),
  maxMs: round(Math.max(...runs.map((r) => r.loop.maxMs)), 2),
});

/** Every size of `c.sizes`, in turn: one {@link ServerResult} each. */
export async function benchServer(c: ServerConfig, progress: (msg: string) => void = () => {}): Promise<ServerResult[]> {
  const out: ServerResult[] = [];
  for (const size of c.sizes) out.push(await benchSize(c, size, progress));
  return out;
}

async function benchSize(c: ServerConfig, size: ServerSize, progress: (msg: string) => void): Promise<ServerResult> {
  const quiet: Run[] = [];
  const swaps: Run[] = [];
  for (let i = 0; i < c.runs; i++) {
    // alternate which goes first, so a drift in machine load does not favour one side
    for (const mode of i % 2 === 0 ? (['quiet', 'swaps'] as const) : (['swaps', 'quiet'] as const)) {
      progress(`server ${size.label}: run ${i + 1}/${c.runs}, ${mode}`);
      (mode === 'quiet' ? quiet : swaps).push(await once(c.aa === true ? 'quiet' : mode, c, size.bytes));
    }
  }
  const all = (runs: Run[], k: 'cold' | 'warm'): Sample[] => runs.flatMap((r) => r[k]);
  const q = { cold: window(all(quiet, 'cold')), warm: window(all(quiet, 'warm')) };
  const s = { cold: window(all(swaps, 'cold')), warm: window(all(swaps, 'warm')) };
  const pauses = summarize(swaps.flatMap((r) => r.pausesUs));
  const blocks = summarize(swaps.flatMap((r) => r.blocksUs));
  const runs = [...quiet, ...swaps];
  return {
    label: size.label,
    stateBytes: size.bytes,
    quiet: q,
    swaps: s,
    p99RatioCold: round(s.cold.p99Ms / q.cold.p99Ms, 3),
    p99RatioWarm: round(s.warm.p99Ms / q.warm.p99Ms, 3),
    failedRequests: runs.reduce((n, r) => n + r.failed, 0),
    lostOrDuplicated: runs.reduce((n, r) => n + r.lostOrDuplicated, 0),
    swapCount: pauses.n,
    swapRefused: swaps.reduce((n, r) => n + r.refused, 0),
    swapPauseP50Us: round(pauses.p50),
    swapPauseP99Us: round(pauses.p99),
    swapBlockP50Us: round(blocks.p50),
    swapBlockP99Us: round(blocks.p99),
    requestsPerS: Math.round(runs.reduce((n, r) => n + r.perS, 0) / runs.length),
    mainLoopDelay: { quiet: loopOf(quiet), swaps: loopOf(swaps) },
  };
}

// `npx tsx bench/server.ts [tiny|100kb|1mb…] [--rate N] [--aa]`: this section alone, quick (closed loop unless `--rate`)
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--rate');
  const rate = at >= 0 ? Number(args.splice(at, 2)[1]) : undefined;
  const aa = args.includes('--aa');
  if (aa) args.splice(args.indexOf('--aa'), 1);
  const sizes = SERVER_SIZES.filter((s) => args.length === 0 || args.includes(s.label));
  const r = await benchServer({ runs: 1, connections: 4, coldMs: 2_000, warmupMs: 1_500, warmMs: 3_000, everyMs: 100, sizes, aa, ...(rate === undefined ? {} : { rate }) }, (m) => process.stderr.write(`${m}\n`));
  console.log(JSON.stringify(r, null, 2));
}
