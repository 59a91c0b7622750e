/**
 * The second process of the config-upgrade example (run by main.ts with the store's directory): it
 * knows the lineage up to v3 and cold-restores the envelopes the first process saved — one at v3, one
 * at v1 (migrated v1 → v3 on the way in) — then shows their refresh delays resume with the remaining
 * time they had when saved, however long the envelopes sat on disk.
 */
import { createFileStore, createRuntime, ManualClock } from '../../src/index.ts';
import { config } from './config.ts';

const dir = process.argv[2];
if (dir === undefined) {
  console.error('usage: restore.ts <store directory>');
  process.exit(2);
}
const store = createFileStore(dir);
const clock = new ManualClock(1_000_000); // another process, another time line
const runtime = createRuntime({ clock });
console.log(`process 2 runs config up to v${config.current.version}`);
const restored = [];
for (const id of ['billing-config', 'search-config']) {
  const loaded = await store.load(id);
  if (!loaded.ok) throw new Error(`${loaded.error.code}: ${loaded.error.message}`);
  const c = runtime.start(config, { id, envelope: loaded.envelope });
  const onDisk = Date.now() - Date.parse(loaded.envelope.savedAt);
  const due = c.ledger().delays[0]?.remainingMs;
  console.log(`restored ${id} (saved at v${loaded.envelope.version}, ${Math.max(0, onDisk)} ms ago) as v${c.version} ${JSON.stringify(c.getSnapshot().context)}`);
  console.log(`  refresh re-armed: due in ${due} ms, the remaining time it had when saved (its time on disk does not count)`);
  restored.push({ c, due: due ?? Number.NaN });
}
const first = Math.min(...restored.map((r) => r.due));
clock.advance(first - 1);
console.log(`+${first - 1} ms: refreshes ${restored.map((r) => `${r.c.id} ${(r.c.getSnapshot().context as { refreshes: number }).refreshes}`).join(', ')}`);
clock.advance(1);
console.log(`+${first} ms: refreshes ${restored.map((r) => `${r.c.id} ${(r.c.getSnapshot().context as { refreshes: number }).refreshes}`).join(', ')}`);
await runtime.stop();
