/**
 * A watched plugin directory: the rate limiter runs v3 while a deploy step copies plugin files into a
 * directory that `watchPlugins` watches. A buggy v4 is loaded and refused at verify (v3 keeps
 * serving), a half-finished v5 that does not parse is refused at load, the good v4 replaces the buggy
 * file and the limiter swaps to it, and removing that file reverts to v3 through the link's `down`.
 * Every outcome is an event the server logs.
 *
 * Run: npx tsx examples/plugin-watch.ts
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRuntime, ManualClock } from '../src/index.ts';
import { type PluginEvent, watchPlugins } from '../src/plugin/index.ts';
import { rateLimiter, type V3Context } from './components/rate-limiter.ts';
import type { V4Context } from './plugins/rate-limiter-v4.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
// next to examples/plugins/, so the copied plugins' relative imports resolve as they do there
const dir = await mkdtemp(join(here, '.plugins-'));

const runtime = createRuntime({ clock: new ManualClock() });
const limiter = runtime.start(rateLimiter, { version: 3 });
let seq = 0;
const burst = (client: string, n: number): void => {
  for (let i = 0; i < n; i++) limiter.send({ type: 'REQUEST', seq: ++seq, client });
};

const seen: PluginEvent[] = [];
const log = (e: PluginEvent): void => {
  seen.push(e);
  const f = 'file' in e && e.file !== undefined ? basename(e.file) : '';
  if (e.type === 'loaded') console.log(`[plugins] loaded ${f}: v${e.version}`);
  else if (e.type === 'load-refused') console.log(`[plugins] refused ${f}: ${e.refusal.code}`);
  else if (e.type === 'swap-committed') console.log(`[plugins] swapped v${e.from} → v${e.to}`);
  else if (e.type === 'swap-refused') console.log(`[plugins] swap v${e.from} → v${e.to} refused: ${e.blockers.map((b) => b.message).join('; ')}`);
  else if (e.type === 'removed') console.log(`[plugins] removed ${f}: ${e.action}`);
  else console.log(`[plugins] ${e.type}`);
};
const next = async (type: PluginEvent['type']): Promise<void> => {
  const count = seen.filter((e) => e.type === type).length;
  while (seen.filter((e) => e.type === type).length === count) await new Promise((r) => setTimeout(r, 10));
};

const watcher = watchPlugins(dir, { component: limiter, onEvent: log, onRemove: 'revert', stableMs: 100 });
await watcher.ready;
burst('web', 150);
burst('admin', 20);

const deployed = join(dir, 'rate-limiter-v4.ts');
let waiting = next('swap-refused');
await copyFile(join(here, 'plugins', 'rate-limiter-v4-broken.ts'), deployed);
await waiting;
console.log(`still v${limiter.version}, processed ${(limiter.getSnapshot().context as V3Context).stats.processed}`);

waiting = next('load-refused');
await writeFile(join(dir, 'rate-limiter-v5.ts'), 'export default definePlugin({ component: ');
await waiting;
await rm(join(dir, 'rate-limiter-v5.ts'));

waiting = next('swap-committed');
await copyFile(join(here, 'plugins', 'rate-limiter-v4.ts'), deployed);
await waiting;
burst('admin', 20);
const c = limiter.getSnapshot().context as V4Context; // the plugin's v4: the lineage the limiter started with types v1–v3 only
console.log(`now v${limiter.version}: processed ${c.stats.processed}, VIP admitted ${c.vip.admitted}`);

waiting = next('swap-committed');
await rm(deployed);
await waiting;
console.log(`back at v${limiter.version}`);

await watcher.close();
console.log(`journal: ${(await runtime.journal.entries()).map((e) => `v${e.from}→v${e.to} ${e.outcome}`).join(', ')}`);
await runtime.stop();
await rm(dir, { recursive: true, force: true });
