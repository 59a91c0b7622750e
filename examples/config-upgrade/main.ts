/**
 * The config-upgrade example: a live config component goes v1 → v2 → v3 without a restart (`timeoutMs`
 * becomes `timeout: { connect, read }`, `retries` becomes `retry: { attempts, backoffMs }`), each
 * version's context validated by its zod schema as it is installed; an upgrade to v4 is refused because
 * its invariant fails on the live values (v3 keeps serving). The config is then persisted with the
 * file store, and a second process that runs v3 (restore.ts) cold-restores it — and a replica's v1
 * envelope saved before the upgrade, migrated v1 → v3 on the way in.
 *
 * Time on disk, as documented (README, "Cold restore"): an envelope keeps each pending delay's
 * remaining time at the moment it was saved; the restored component re-arms it with that remaining
 * time, so the time the envelope spent on disk does not count (`savedAt` records when it was written,
 * for a component that wants to account for it). Both processes run on a ManualClock, so the numbers
 * printed are exact.
 *
 * Run: npm run example:config-upgrade (or npx tsx examples/config-upgrade/main.ts)
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createEnvelope, createFileStore, createRuntime, formatReport, ManualClock, type LiveComponent } from '../../src/index.ts';
import { config, withV4 } from './config.ts';

const dir = await mkdtemp(join(tmpdir(), 'hotswap-config-'));
const store = createFileStore(dir);
const clock = new ManualClock();
const runtime = createRuntime({ clock });
const show = (c: LiveComponent<any>): string => `v${c.version} ${JSON.stringify(c.getSnapshot().context)}`;
const save = async (c: LiveComponent<any>): Promise<void> => {
  const p = c.persist();
  await store.save(c.id, createEnvelope({ component: p.component, version: p.version, snapshot: p.snapshot, timers: p.timers }));
  const delay = p.timers.find((t) => t.kind === 'delay');
  console.log(`saved ${c.id} at v${p.version} (refresh due in ${delay?.remainingMs} ms)`);
};

const billing = runtime.start(config, { version: 1, id: 'billing-config' });
const search = runtime.start(config, { version: 1, id: 'search-config' });
console.log(`started ${show(billing)}`);
billing.send({ type: 'SET', patch: { timeoutMs: 8000 } });
console.log(`SET timeoutMs 8000 → ${show(billing)}`);
clock.advance(20_000);
await save(search); // a replica that goes down before the upgrade, still at v1

for (const to of [2, 3]) {
  const r = await billing.swap(to);
  console.log(`swap v${r.from} → v${r.to} ${r.outcome} (schema validated): ${show(billing)}`);
  if (r.outcome !== 'committed') process.exitCode = 1;
}
billing.send({ type: 'SET', patch: { retry: { attempts: 4, backoffMs: 250 } } });
console.log(`SET retry { attempts: 4, backoffMs: 250 } → ${show(billing)}`);

const refused = await billing.swap(4, { lineage: withV4 });
console.log(formatReport(refused));
console.log(`still serving ${show(billing)}`);
if (refused.outcome !== 'refused') process.exitCode = 1;

clock.advance(15_000);
await save(billing);
await runtime.stop();
console.log('process 1 stopped\n');

// ── a second process that runs v3 restores both ─────────────────────────────
const restore = fileURLToPath(new URL('./restore.ts', import.meta.url));
try {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', restore, dir], { timeout: 30_000 });
  process.stdout.write(stdout);
} catch (error) {
  const e = error as { stdout?: string; stderr?: string; code?: number };
  process.stdout.write(e.stdout ?? '');
  console.error(`restore process failed (exit ${e.code}): ${e.stderr ?? String(error)}`);
  process.exitCode = 1;
}
await rm(dir, { recursive: true, force: true });
