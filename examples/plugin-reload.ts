/**
 * A version that arrives at run time: the rate limiter runs v3 (the newest its lineage knows), then a
 * plugin module carrying v4 and its link from v3 is imported, checked with `lineage.extend`, and the
 * live component swaps to it with `swap(4, { lineage: extended })`. A plugin that does not fit
 * (wrong `from`) is refused with a typed error before anything touches the live component; the
 * buggy v4 plugin gets as far as verify and is refused there, with v3 still serving.
 *
 * Run: npx tsx examples/plugin-reload.ts
 */
import { createRuntime, formatReport, ManualClock, type VersionPlugin } from '../src/index.ts';
import { rateLimiter, type V3Context } from './components/rate-limiter.ts';
import type { V4Context } from './plugins/rate-limiter-v4.ts';

// A manual clock keeps the bucket from refilling in the middle, so the numbers below are exact.
const runtime = createRuntime({ clock: new ManualClock() });
const limiter = runtime.start(rateLimiter, { version: 3 });
let seq = 0;
const burst = (client: string, n: number): void => {
  for (let i = 0; i < n; i++) limiter.send({ type: 'REQUEST', seq: ++seq, client });
};
burst('web', 150);
burst('admin', 20);
const show = (label: string): void => {
  const c = limiter.getSnapshot().context as V3Context; // v3, or the plugin's v4 (extends v3's context), which rateLimiter's type does not know
  console.log(`${label}: v${limiter.version}, processed ${c.stats.processed}, admitted ${c.stats.admitted}, throttled ${c.stats.throttled}, by client ${JSON.stringify(c.clients)}`);
};
show('before');
console.log(`lineage knows: ${rateLimiter.versions.map((v) => `v${v.version}`).join(', ')}`);
console.log('');

// 1. A plugin that migrates from the wrong version: refused with a typed error, nothing swapped.
const good = (await import('./plugins/rate-limiter-v4.ts')).plugin;
const misfit: VersionPlugin = { ...good, from: 2 };
const bad = rateLimiter.tryExtend(misfit);
if (bad.ok) throw new Error('expected the misfit plugin to be refused');
console.log(`plugin with from: 2 refused: ${bad.error.code}: ${bad.error.message}`);

// 2. The buggy v4 plugin fits the lineage, but its migration breaks the invariant.
const buggy = rateLimiter.extend((await import('./plugins/rate-limiter-v4-broken.ts')).plugin);
const refused = await limiter.swap(4, { lineage: buggy });
console.log(formatReport(refused));
console.log(`still v${limiter.version}`);
console.log('');

// 3. The good v4 plugin: extend the lineage, swap the live component to it.
const extended = rateLimiter.extend(good);
console.log(`extended lineage: ${extended.versions.map((v) => `v${v.version}`).join(', ')} (v4: ${extended.get(4)?.description})`);
const report = await limiter.swap(4, { lineage: extended });
console.log(formatReport(report));
burst('web', 50);
burst('admin', 20);
show('after');
const c = limiter.getSnapshot().context as V4Context; // the plugin's v4: the lineage the limiter started with types v1–v3 only
console.log(`VIP admitted without tokens: ${c.vip.admitted} (${c.vip.clients.join(', ')}); sequence gaps ${c.seq.gaps}, repeats ${c.seq.dupes}`);

// 4. And back: v4's link is reversible, and the component now follows the extended lineage.
const back = await limiter.revert();
console.log(formatReport(back));
console.log(`journal: ${(await runtime.journal.entries()).map((e) => `v${e.from}→v${e.to} ${e.outcome}`).join(', ')}`);
await runtime.stop();
