/**
 * A store writer for the crash tests in file-store.test.ts, run as its own process (bundled by
 * test/_support/crash.ts) and killed with SIGKILL: saves envelopes of 0.1–0.7 MB in turn under the ids
 * `a`, `b`, `c` (the n-th save carries `context.n = n`) and prints `<id> <n>` once a save resolved.
 *
 * Usage: node writer.mjs <dir> <first n> <seed> [count]
 */
import type { PersistedSnapshot } from '../../src/xstate/persisted.ts';
import { createEnvelope } from '../../src/store/envelope.ts';
import { createFileStore } from '../../src/store/file-store.ts';
import { prng } from '../_support/prng.ts';

const [dir, first, seed, count] = process.argv.slice(2);
if (dir === undefined || first === undefined || seed === undefined) throw new Error('usage: writer.mjs <dir> <first n> <seed> [count]');
const store = createFileStore(dir);
const random = prng(Number(seed));
const last = Number(first) + (count === undefined ? Infinity : Number(count));

for (let n = Number(first); n < last; n++) {
  const id = ['a', 'b', 'c'][n % 3]!;
  const pad = 'x'.repeat(100_000 + Math.floor(random() * 600_000));
  const snapshot = { status: 'active', value: 'idle', context: { n, pad }, children: {}, historyValue: {}, tags: [] } as unknown as PersistedSnapshot;
  await store.save(id, createEnvelope({ component: 'writer', version: 1, snapshot }));
  process.stdout.write(`${id} ${n}\n`);
}
