/**
 * A journal writer for the crash test in file-journal.test.ts, run as its own process (bundled by
 * test/_support/crash.ts) and killed with SIGKILL: appends entries `e<first>`, `e<first+1>`, … to a
 * `FileJournal`, half of them over 512 KiB so that a kill tears them, and prints each id once its
 * `append` has resolved.
 *
 * Usage: node writer.mjs <journal> <first id> <seed> <fsync 0|1> [count]
 */
import { FileJournal } from '../../src/journal/file-journal.ts';
import type { JournalEntry } from '../../src/journal/journal.ts';
import { prng } from '../_support/prng.ts';

const [path, first, seed, fsync, count] = process.argv.slice(2);
if (path === undefined || first === undefined || seed === undefined) throw new Error('usage: writer.mjs <journal> <first id> <seed> <fsync 0|1> [count]');
const journal = new FileJournal(path, { fsync: fsync === '1' });
const random = prng(Number(seed));
const last = Number(first) + (count === undefined ? Infinity : Number(count));

for (let n = Number(first); n < last; n++) {
  const big = random() < 0.5;
  const size = big ? 600_000 + Math.floor(random() * 900_000) : 50 + Math.floor(random() * 200);
  const id = `e${n}`;
  // the pad repeats the id, so a line glued from two entries can never pass for either
  const pad = `${id}:`.repeat(Math.ceil(size / (id.length + 1))).slice(0, size);
  await journal.append({ id, instance: 'writer', size, pad } as unknown as JournalEntry);
  process.stdout.write(`${id}\n`);
}
