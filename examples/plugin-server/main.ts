/**
 * `npm run example:plugin-server`: the plugin server on its own. It starts the rate limiter (v1, in a
 * worker) behind `node:http` on loopback, watches a plugins directory and logs every plugin event and
 * a line of counters per second. Copy a plugin file into the directory and watch it swap:
 *
 *   cp examples/plugin-server/plugins/rate-limiter-v2.ts examples/plugin-server/live-plugins/
 *   curl 'http://127.0.0.1:8080/hit?client=me'
 *
 * Options: `--port N` (8080; 0 = any), `--dir <path>` (examples/plugin-server/live-plugins, created;
 * its files import `../limiter.ts`, so keep it next to limiter.ts), `--probation-ms N` (put every swap
 * on probation for N ms: a version the server's health check fails within it is rolled back — try
 * `cp examples/plugin-server/flawed/rate-limiter-v4.ts` after v2 and v3 under load), `--exit-after N`
 * seconds (bounded mode, used by the test; otherwise it runs until Ctrl-C).
 */
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { PluginEvent } from '../../src/plugin/index.ts';
import { causeText, startPluginServer } from './server.ts';

const { values } = parseArgs({ options: { port: { type: 'string', default: '8080' }, dir: { type: 'string' }, 'probation-ms': { type: 'string' }, 'exit-after': { type: 'string' } } });
const port = Number(values.port);
const exitAfter = values['exit-after'] === undefined ? undefined : Number(values['exit-after']);
const probationMs = values['probation-ms'] === undefined ? undefined : Number(values['probation-ms']);
if (!Number.isInteger(port) || port < 0 || port > 65535 || (exitAfter !== undefined && !(exitAfter > 0)) || (probationMs !== undefined && !(Number.isInteger(probationMs) && probationMs > 0))) {
  console.error(`Expected --port to be 0..65535, --probation-ms a positive integer and --exit-after a positive number of seconds, got ${values.port}, ${values['probation-ms']} and ${values['exit-after']}`);
  process.exit(2);
}
const dir = resolve(values.dir ?? fileURLToPath(new URL('./live-plugins/', import.meta.url)));
await mkdir(dir, { recursive: true });

const log = (e: PluginEvent): void => {
  const f = 'file' in e && e.file !== undefined ? basename(e.file) : '';
  if (e.type === 'loaded') console.log(`[plugins] loaded ${f}: v${e.version}`);
  else if (e.type === 'load-refused') console.log(`[plugins] refused ${f}: ${e.refusal.code}`);
  else if (e.type === 'swap-committed') console.log(`[plugins] swapped v${e.from} → v${e.to} (pause ${(e.report.pauseUs / 1000).toFixed(1)} ms, ${e.report.held} requests held)`);
  else if (e.type === 'swap-refused') console.log(`[plugins] swap v${e.from} → v${e.to} refused at ${e.report.phase}: ${e.blockers.map((b) => `${b.kind}: ${b.message.split('\n')[0]}`).join('; ')}`);
  else if (e.type === 'removed') console.log(`[plugins] removed ${f}: ${e.action}`);
  else if (e.type === 'superseded') console.log(`[plugins] superseded ${f} by v${e.by.version}`);
  else if (e.type === 'probation-ended') {
    const o = e.outcome;
    if (o.outcome === 'permanent') console.log(`[plugins] v${e.to} permanent: its probation passed (${o.events} requests)`);
    else if (o.outcome === 'rolled-back') console.log(`[plugins] rolled back v${e.to} → v${e.from}: ${causeText(o.cause)}; ${o.report.held} requests redelivered`);
    else console.log(`[plugins] rollback of v${e.to} failed (${o.error}); v${e.to} keeps serving`);
  }
  else console.log(`[plugins] error: ${e.error.message}`);
};

const probation = probationMs === undefined ? {} : { probation: { ms: probationMs } };
const server = await startPluginServer({ pluginsDir: dir, journalFile: join(tmpdir(), `hotswap-plugin-server-${process.pid}.jsonl`), port, onEvent: log, ...probation });
console.log(`plugin server on ${server.url} (rate limiter v${server.limiter.version} in a worker${probationMs === undefined ? '' : `, every swap on probation for ${probationMs} ms`})`);
console.log(`watching ${dir}`);
console.log(`try: curl '${server.url}/hit?client=me'  ·  cp examples/plugin-server/plugins/rate-limiter-v2.ts ${dir}/`);

let last = '';
const tick = setInterval(() => {
  const s = server.stats();
  const line = `[stats] v${s.version}: ${s.processed} processed (${s.admitted} admitted, ${s.throttled} throttled), lost ${s.gaps}, duplicated ${s.dupes}`;
  if (line !== last) console.log(line);
  last = line;
}, 1000);

let closing = false;
const shutdown = async (): Promise<void> => {
  if (closing) return;
  closing = true;
  clearInterval(tick);
  await server.close();
  console.log(`stopped; journal ${server.journal.path}`);
};
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
if (exitAfter !== undefined) setTimeout(() => void shutdown(), exitAfter * 1000).unref();
