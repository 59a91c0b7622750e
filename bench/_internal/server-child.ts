/**
 * One fresh plugin-server process for bench/server.ts: examples/plugin-server with its rate limiter
 * hosted in a worker from the v3 plugin file (whose lineage holds v1 … v3), started at v2. It prints
 * `{ url }` as a JSON line, then, with `swaps`, swaps the limiter v2 ⇄ v3 every `everyMs` (in-worker
 * swaps: the worker already has both versions' code) until a line arrives on stdin; then prints
 * `{ pausesUs, refused, accepted, processed, lost, duplicated }` and exits.
 *
 * Args: `<swaps|quiet> <everyMs>`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startPluginServer } from '../../examples/plugin-server/server.ts';

const [mode = 'quiet', every = '100'] = process.argv.slice(2);
const everyMs = Number(every);
const work = await mkdtemp(join(tmpdir(), 'hotswap-bench-server-'));
const plugins = join(work, 'plugins');
await import('node:fs/promises').then((fs) => fs.mkdir(plugins));
const server = await startPluginServer({
  pluginsDir: plugins,
  journalFile: join(work, 'journal.jsonl'),
  module: new URL('../../examples/plugin-server/plugins/rate-limiter-v3.ts', import.meta.url),
  version: 2,
});
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);

const pausesUs: number[] = [];
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
    if (r.outcome === 'committed') pausesUs.push(r.pauseUs);
    else refused++;
    if (performance.now() > next) next = performance.now(); // a slow swap does not queue up a burst
  }
})();

const lines = createInterface({ input: process.stdin });
lines.once('line', async () => {
  stopping = true;
  await swapping;
  const until = performance.now() + 5_000;
  while (server.waiting > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
  const s = server.stats();
  process.stdout.write(`${JSON.stringify({ pausesUs, refused, accepted: server.accepted, processed: s.processed, lost: s.gaps + Math.max(0, server.accepted - s.processed), duplicated: s.dupes })}\n`);
  lines.close();
  await server.close();
  await rm(work, { recursive: true, force: true });
});
