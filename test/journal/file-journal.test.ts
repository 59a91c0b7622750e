import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { FileJournal, type JournalEntry } from '../../src/index.ts';
import { CRASH_TEST_TIMEOUT_MS, KILLS, KILL_SEED, bundleWriter, runWriter } from '../_support/crash.ts';
import { prng } from '../_support/prng.ts';

let dir: string;
beforeEach(async () => void (dir = await mkdtemp(join(tmpdir(), 'hotswap-journal-'))));
afterEach(() => rm(dir, { recursive: true, force: true }));

const entry = (id: string, pad = ''): JournalEntry => ({ id, instance: 'i', pad }) as unknown as JournalEntry;
/** Whether the file open as `fd` ends mid-line (its last byte is no newline): a writer is writing a line. */
function endsMidLine(fd: number): boolean {
  const { size } = fstatSync(fd);
  const last = Buffer.alloc(1);
  return size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
}
/** What follows the last newline of the file open as `fd` (entries are at most 1.5 MB). */
function tornTail(fd: number): string {
  const { size } = fstatSync(fd);
  const tail = Buffer.alloc(Math.min(size, 4_000_000));
  readSync(fd, tail, 0, tail.length, size - tail.length);
  return tail.subarray(tail.lastIndexOf(0x0a) + 1).toString('utf8');
}
const ids = (entries: readonly JournalEntry[]): string[] => entries.map((e) => e.id);
/** A torn-file record: the header line, then the fragment on its own line. */
const TORN_HEADER = /^# \d{4}-\d\d-\d\dT[\d:.]+Z: (\d+) bytes torn off journal\.jsonl at byte (\d+) \(an append cut short by a crash; not an entry\)$/;

describe('FileJournal', () => {
  it('appends one JSON line per entry and reads them back, oldest first', async () => {
    const path = join(dir, 'nested', 'journal.jsonl');
    const journal = new FileJournal(path);
    await journal.append(entry('a'));
    await journal.append(entry('b'));
    expect(await readFile(path, 'utf8')).toBe(`${JSON.stringify(entry('a'))}\n${JSON.stringify(entry('b'))}\n`);
    expect(ids(await journal.entries())).toEqual(['a', 'b']);
  });

  it('serialises appends within a process, across FileJournal objects for the same file: big lines never interleave', async () => {
    const path = join(dir, 'journal.jsonl');
    const a = new FileJournal(path);
    const b = new FileJournal(join(dir, '.', 'journal.jsonl'));
    const sent = Array.from({ length: 24 }, (_, i) => `e${i}`);
    // 1.5 MB lines: Node's appendFile writes in 512 KiB chunks, which two unserialised writers interleave
    await Promise.all(sent.map((id, i) => (i % 2 === 0 ? a : b).append(entry(id, id.repeat(300_000)))));
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(sent);
    expect(ids(await b.entries())).toEqual(sent);
  });

  it('reads past a torn last line without changing the file', async () => {
    const path = join(dir, 'journal.jsonl');
    const text = `${JSON.stringify(entry('a'))}\n{"id":"b","pad":"xx`;
    await writeFile(path, text);
    expect(ids(await new FileJournal(path).entries())).toEqual(['a']);
    expect(await readFile(path, 'utf8')).toBe(text);
  });

  it('reads line by line: lines longer than a read, multi-byte characters across reads, a torn last line', async () => {
    const path = join(dir, 'journal.jsonl');
    const sent = [entry('a'), entry('long', 'é'.repeat(1_500_000)), ...Array.from({ length: 2_000 }, (_, i) => entry(`s${i}`, 'ü'.repeat(i % 7))), entry('z')];
    await writeFile(path, `${sent.map((e) => JSON.stringify(e)).join('\n')}\n\n{"id":"torn","pad":"é`);
    expect(await new FileJournal(path).entries()).toEqual(sent);
  });

  it('repairs a torn tail before its first append: the fragment moves to <path>.torn and the next entry starts on a fresh line', async () => {
    const path = join(dir, 'journal.jsonl');
    const whole = `${JSON.stringify(entry('a'))}\n`;
    const fragment = '{"id":"b","pad":"xxxxé';
    await writeFile(path, whole + fragment);
    const journal = new FileJournal(path);
    expect(journal.tornPath).toBe(`${path}.torn`);
    await journal.append(entry('c'));
    await journal.append(entry('d'));
    expect(await readFile(path, 'utf8')).toBe(`${whole}${JSON.stringify(entry('c'))}\n${JSON.stringify(entry('d'))}\n`);
    expect(ids(await journal.entries())).toEqual(['a', 'c', 'd']);
    const [header, kept, end] = (await readFile(journal.tornPath, 'utf8')).split('\n');
    expect(header).toMatch(TORN_HEADER);
    expect(TORN_HEADER.exec(header!)!.slice(1)).toEqual([String(Buffer.byteLength(fragment)), String(Buffer.byteLength(whole))]);
    expect([kept, end]).toEqual([fragment, '']);
  });

  it('truncates a file that is all fragment, and keeps appending to the torn file on a fresh line', async () => {
    const path = join(dir, 'journal.jsonl');
    await writeFile(`${path}.torn`, '# an earlier record cut short\n{"id":"x"'); // a repair that was itself killed
    await writeFile(path, '{"id":"z","pad":"');
    await new FileJournal(path).append(entry('a'));
    expect(await readFile(path, 'utf8')).toBe(`${JSON.stringify(entry('a'))}\n`);
    const torn = (await readFile(`${path}.torn`, 'utf8')).split('\n');
    expect(torn.slice(0, 2)).toEqual(['# an earlier record cut short', '{"id":"x"']);
    expect(torn[2]).toMatch(TORN_HEADER);
    expect(torn.slice(3)).toEqual(['{"id":"z","pad":"', '']);
  });

  it('rejects an append it cannot write, and a later append tries again', async () => {
    const blocker = join(dir, 'logs');
    await writeFile(blocker, 'a file where the directory should be');
    const journal = new FileJournal(join(blocker, 'journal.jsonl'));
    await expect(journal.append(entry('a'))).rejects.toMatchObject({ code: 'EEXIST' });
    await rm(blocker);
    await journal.append(entry('b'));
    expect(ids(await journal.entries())).toEqual(['b']);
  });

  it('with `fsync: true` flushes every line to the disk before `append` resolves; by default never', async () => {
    const probe = await open(join(dir, 'probe'), 'w');
    const handleProto = Object.getPrototypeOf(probe) as { datasync(): Promise<void> };
    await probe.close();
    const datasync = vi.spyOn(handleProto, 'datasync');
    try {
      const plain = new FileJournal(join(dir, 'plain.jsonl'));
      await plain.append(entry('a'));
      await plain.append(entry('b'));
      expect(datasync).not.toHaveBeenCalled();
      const durable = new FileJournal(join(dir, 'durable.jsonl'), { fsync: true });
      expect(durable.fsync).toBe(true);
      await durable.append(entry('a'));
      await durable.append(entry('b'));
      expect(datasync).toHaveBeenCalledTimes(2);
      expect(ids(await durable.entries())).toEqual(['a', 'b']);
    } finally {
      datasync.mockRestore();
    }
  });
});

describe('FileJournal under SIGKILL', () => {
  let writer: string;
  beforeAll(async () => void (writer = await bundleWriter(fileURLToPath(new URL('./_journal-writer.ts', import.meta.url)))));
  afterAll(() => rm(join(writer, '..'), { recursive: true, force: true }));

  /**
   * Kills `kills` writers of one journal (more, up to 3×, until one has torn a line: aimed kills hit
   * the window often, not always), then appends once from this process and checks the file.
   */
  async function campaign(path: string, kills: number, seed: number): Promise<{ kills: number; acked: number; onFile: number; torn: number }> {
    const random = prng(seed);
    const acked = new Set<string>();
    const fragments: string[] = [];
    await writeFile(path, '');
    const probe = openSync(path, 'r');
    onTestFinished(() => closeSync(probe));
    let k = 0;
    for (; k < kills || (fragments.length === 0 && k < 3 * kills); k++) {
      // half the kills at a random moment, half aimed at a line being written;
      // every fourth writer flushes each line; ids are unique across writers
      const run = await runWriter(writer, [path, String(k * 10_000), String(seed + k), k % 4 === 3 ? '1' : '0'], {
        afterLines: 1 + Math.floor(random() * 2),
        afterMs: Math.floor(random() * 25),
        ...(k % 2 === 1 ? { when: () => endsMidLine(probe) } : {}),
      });
      expect(run, run.stderr).toMatchObject({ killed: true });
      for (const id of run.lines) acked.add(id);
      const fragment = tornTail(probe);
      if (fragment !== '') fragments.push(fragment);
    }
    // the next process's first append, after the last kill
    const journal = new FileJournal(path);
    await journal.append(entry('after'));

    const found = ids(await journal.entries());
    const readable = new Set(found);
    expect([...acked].filter((id) => !readable.has(id)), 'acknowledged entries lost').toEqual([]);
    expect(readable.size).toBe(found.length);
    expect(found.at(-1)).toBe('after');
    // no merged lines: every line is one whole entry, its pad intact
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    const parsed = lines.map((l) => JSON.parse(l) as { id: string; size?: number; pad: string });
    for (const e of parsed) if (e.id !== 'after') expect(e.pad).toBe(`${e.id}:`.repeat(Math.ceil(e.size! / (e.id.length + 1))).slice(0, e.size));
    expect(parsed.map((e) => e.id)).toEqual(found);

    // every torn tail the kills left is kept, whole, in the torn file (the test must have made some)
    expect(fragments.length).toBeGreaterThan(0);
    const torn = new Set((await readFile(journal.tornPath, 'utf8')).split('\n'));
    for (const f of fragments) expect(torn.has(f)).toBe(true);
    return { kills: k, acked: acked.size, onFile: found.length - 1, torn: fragments.length };
  }

  it(`keeps every acknowledged entry through ${KILLS} or more kills of writers at random points (seed ${KILL_SEED}), torn lines and all`, async () => {
    // one journal per 24 kills, so that a soak run's files stay small enough to check as strings
    const total = { kills: 0, acked: 0, onFile: 0, torn: 0 };
    for (let s = 0; s * 24 < KILLS; s++) {
      const r = await campaign(join(dir, `journal-${s}.jsonl`), Math.min(24, KILLS - s * 24), KILL_SEED + s * 1_000);
      for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += r[key];
    }
    console.info(`journal crash test: ${total.kills} kills, ${total.acked} acknowledged entries, ${total.onFile} on file, ${total.torn} torn tails kept`);
  }, CRASH_TEST_TIMEOUT_MS);
});

describe('FileJournal across releases', () => {
  it('reads a line written before reports carried `ok`, deriving it from `outcome`', async () => {
    const path = join(dir, 'journal.jsonl');
    const old = (id: string, outcome: string): string => JSON.stringify({ id, instance: 'i', outcome });
    await writeFile(path, `${old('a', 'committed')}\n${old('b', 'refused')}\n${JSON.stringify({ id: 'c', instance: 'i', ok: true, outcome: 'committed' })}\n`);
    const read = await new FileJournal(path).entries();
    expect(read.map((e) => [e.id, e.ok, e.outcome])).toEqual([['a', true, 'committed'], ['b', false, 'refused'], ['c', true, 'committed']]);
  });

  it('reads a rollback written as `committed` with `rolledBack` (before rollbacks had their outcome) as `rolled-back`, leaving the file as it was', async () => {
    const path = join(dir, 'journal.jsonl');
    const rolledBack = { swapId: 's1', cause: 'health check: too slow', redelivered: 2 };
    const lines = [
      JSON.stringify({ id: 's1', instance: 'i', ok: true, outcome: 'committed', from: 1, to: 2 }),
      JSON.stringify({ id: 'r1', instance: 'i', ok: true, outcome: 'committed', from: 2, to: 1, rolledBack }),
      JSON.stringify({ id: 'r2', instance: 'i', outcome: 'committed', from: 2, to: 1, rolledBack }),
    ].join('\n');
    await writeFile(path, `${lines}\n`);
    const journal = new FileJournal(path);
    const read = await journal.entries();
    expect(read.map((e) => [e.id, e.ok, e.outcome])).toEqual([['s1', true, 'committed'], ['r1', true, 'rolled-back'], ['r2', true, 'rolled-back']]);
    expect(read[1]).toMatchObject({ rolledBack });
    expect(await readFile(path, 'utf8')).toBe(`${lines}\n`); // append-only: read, never rewritten
    await journal.append({ ...read[1]!, id: 'r3' });
    expect((await journal.entries()).map((e) => e.outcome)).toEqual(['committed', 'rolled-back', 'rolled-back', 'rolled-back']);
  });
});
