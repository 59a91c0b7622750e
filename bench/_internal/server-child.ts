/**
 * One fresh plugin-server process for bench/server.ts: examples/plugin-server with its rate limiter
 * hosted in a worker from the v3 plugin file (whose lineage holds v1 … v3), started at v2. It prints
 * `{ url }` as a JSON line, then, with `swaps`, swaps the limiter v2 ⇄ v3 every `everyMs` (in-worker
 * swaps: the worker already has both versions' code) until a line arrives on stdin; then prints
 * `{ pausesUs, blocksUs, refused, accepted, processed, lost, duplicated, loopDelayP99Ms, loopDelayMaxMs }` (the
 * main thread's event-loop delay while loaded, `monitorEventLoopDelay` at 1 ms) and exits.
 *
 * Args: `<swaps|quiet> <everyMs> [stateBytes]`. With `stateBytes` > 0 the limiter starts (at v2) from
 * an envelope whose context also carries `directory`, a per-client table (plan, limit, owner, region,
 * since) of about that many bytes of JSON: the kind of payload a real limiter keeps beside its
 * buckets. Neither version touches it, so it rides along every event, checkpoint and swap unchanged
 * — what the library does with a big state on the main thread, not what the machine does with it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { startPluginServer } from '../../examples/plugin-server/server.ts';
import v3, { lineage as toV2 } from '../../examples/plugin-server/plugins/rate-limiter-v3.ts';
import { createEnvelope, createRuntime, type Envelope } from '../../src/index.ts';

const [mode = 'quiet', every = '100', size = '0'] = process.argv.slice(2);
const everyMs = Number(every);
const stateBytes = Number(size);

/** A per-client directory of about `bytes` bytes of JSON (deterministic: client i is always the same). */
function directory(bytes: number): Record<string, { plan: string; limit: number; owner: string; region: string; since: string }> {
  const plans = ['free', 'team', 'business', 'enterprise'] as const;
  const regions = ['eu-west', 'us-east', 'ap-south'] as const;
  const out: Record<string, { plan: string; limit: number; owner: string; region: string; since: string }> = {};
  let total = 2;
  for (let i = 0; total < bytes; i++) {
    const key = `client-${String(i).padStart(6, '0')}`;
    const entry = { plan: plans[i % 4]!, limit: 40 * (1 + (i % 4)), owner: `team-${i % 997}@example.org`, region: regions[i % 3]!, since: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString() };
    out[key] = entry;
    total += JSON.stringify(key).length + JSON.stringify(entry).length + 2;
  }
  return out;
}

/** v2's fresh state (with its pending refill timer) plus the directory, as an envelope. */
function padded(bytes: number): Envelope {
  const runtime = createRuntime();
  const fresh = runtime.start(toV2.extend(v3), { version: 2 }).persist();
  void runtime.stop();
  const snapshot = { ...fresh.snapshot, context: { ...(fresh.snapshot.context as object), directory: directory(bytes) } };
  return createEnvelope({ component: fresh.component, version: fresh.version, snapshot, timers: fresh.timers });
}
const work = await mkdtemp(join(tmpdir(), 'hotswap-bench-server-'));
const plugins = join(work, 'plugins');
await import('node:fs/promises').then((fs) => fs.mkdir(plugins));
// the main thread's event-loop delay (a 1 ms timer, light: a setImmediate probe would compete with the server)
const loop = monitorEventLoopDelay({ resolution: 1 });
const server = await startPluginServer({
  pluginsDir: plugins,
  journalFile: join(work, 'journal.jsonl'),
  module: new URL('../../examples/plugin-server/plugins/rate-limiter-v3.ts', import.meta.url),
  version: 2,
  ...(stateBytes > 0 ? { envelope: padded(stateBytes) } : {}),
});
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
loop.enable();

const pausesUs: number[] = [];
/** The committed swaps' `blockUs`: the longest stretch the worker ran without serving an event batch. */
const blocksUs: number[] = [];
let refused = 0;
let stopping = false;
const swapping = (async () => {
  if (mode !== 'swaps') return;
  let next = performance.now() + everyMs;
  while (!stopping) {
    const wait = next - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    next += everyMs;
    if (stopping) break;
    const r = await server.limiter.swap(server.limiter.version === 2 ? 3 : 2);
    if (r.outcome === 'committed') {
      pausesUs.push(r.pauseUs);
      blocksUs.push(r.blockUs ?? r.totalUs);
    }
    else refused++;
    if (performance.now() > next) next = performance.now(); // a slow swap does not queue up a burst
  }
})();

const lines = createInterface({ input: process.stdin });
lines.once('line', async () => {
  stopping = true;
  loop.disable();
  await swapping;
  const until = performance.now() + 5_000;
  while (server.waiting > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
  const s = server.stats();
  process.stdout.write(`${JSON.stringify({ pausesUs, blocksUs, refused, accepted: server.accepted, processed: s.processed, lost: s.gaps + Math.max(0, server.accepted - s.processed), duplicated: s.dupes, loopDelayP99Ms: loop.percentile(99) / 1e6, loopDelayMaxMs: loop.max / 1e6 })}\n`);
  lines.close();
  await server.close();
  await rm(work, { recursive: true, force: true });
});
