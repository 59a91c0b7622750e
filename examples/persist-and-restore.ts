/**
 * Persist a live rate limiter (v1) with a pending `after refill` delay and a pending runtime timer,
 * write it as a hashed envelope to the file store, then start it in a *new* runtime as v3: the
 * snapshot is migrated through the lineage and both timers are re-armed with their remaining time
 * (XState alone would drop the delay: it does not persist delayed events).
 *
 * Runs on a ManualClock, so every number printed is exact.
 *
 * Run: npx tsx examples/persist-and-restore.ts
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnvelope, createFileStore, createRuntime, ManualClock } from '../src/index.ts';
import { REFILL_MS, WINDOW_MS, rateLimiter } from './components/rate-limiter.ts';

const dir = mkdtempSync(join(tmpdir(), 'hotswap-persist-'));
const store = createFileStore(dir);

// ── process 1: run v1, persist mid-delay ─────────────────────────────────────
const clock1 = new ManualClock();
const runtime1 = createRuntime({ clock: clock1 });
const limiter = runtime1.start(rateLimiter, { version: 1, id: 'limiter-1' });
clock1.advance(30); // 30 ms into the 50 ms refill period and the 100 ms stats window
for (let seq = 1; seq <= 120; seq++) limiter.send({ type: 'REQUEST', seq, client: 'web' });
const s1 = limiter.getSnapshot();
if (s1.version !== 1) throw new Error(`expected v1, got v${s1.version}`); // narrows the snapshot to v1's
const before = s1.context;
console.log(`v1 at t=30 ms: ${before.processed} requests, ${before.admitted} admitted, ${before.tokens} tokens left`);

const persisted = limiter.persist();
for (const t of persisted.timers) console.log(`  pending ${t.kind.padEnd(5)} ${t.id.padEnd(34)} ${t.remainingMs} of ${t.delayMs} ms left`);
const envelope = createEnvelope({ component: persisted.component, version: persisted.version, snapshot: persisted.snapshot, timers: persisted.timers });
await store.save('limiter-1', envelope);
await runtime1.stop();
console.log(`saved ${store.pathOf('limiter-1').replace(dir, '<dir>')} (${readFileSync(store.pathOf('limiter-1')).length} bytes, hash ${envelope.hash.slice(0, 12)}…); runtime 1 stopped`);
console.log('');

// ── process 2: a new runtime restores it as v3 ──────────────────────────────
const clock2 = new ManualClock(5_000); // another process, another time line
const runtime2 = createRuntime({ clock: clock2 });
const loaded = await store.load('limiter-1');
if (!loaded.ok) throw new Error(`${loaded.error.code}: ${loaded.error.message}`);
const restored = runtime2.start(rateLimiter, {
  id: 'limiter-1',
  snapshot: loaded.envelope.snapshot,
  from: loaded.envelope.version,
  version: 3,
  timers: loaded.envelope.timers,
});
const ctx = () => {
  const s = restored.getSnapshot();
  if (s.version !== 3) throw new Error(`expected v3, got v${s.version}`); // narrows the snapshot to v3's
  return s.context;
};
console.log(`restored as v${restored.version} (state '${restored.getSnapshot().value}'): ${ctx().stats.processed} requests, ${ctx().bucket.tokens} tokens, sequence up to ${ctx().seq.last}`);
const ledger = restored.ledger();
for (const d of ledger.delays) console.log(`  re-armed delay ${d.id.padEnd(37)} fires in ${d.remainingMs} ms`);
for (const t of ledger.timers) console.log(`  re-armed timer ${t.name.padEnd(37)} fires in ${t.remainingMs} ms`);

const remainingRefill = REFILL_MS - 30;
clock2.advance(remainingRefill - 1);
console.log(`t+${remainingRefill - 1} ms: tokens ${ctx().bucket.tokens} (refill not yet due)`);
clock2.advance(1);
console.log(`t+${remainingRefill} ms: tokens ${ctx().bucket.tokens} (refill fired after the remaining ${remainingRefill} ms, not a full ${REFILL_MS})`);
const remainingWindow = WINDOW_MS - 30;
clock2.advance(remainingWindow - remainingRefill);
console.log(`t+${remainingWindow} ms: state '${restored.getSnapshot().value}' (stats window timer fired after the remaining ${remainingWindow} ms)`);

await runtime2.stop();
rmSync(dir, { recursive: true, force: true });
