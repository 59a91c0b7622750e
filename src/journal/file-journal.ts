/**
 * The JSON Lines journal on disk. What it must survive is a process killed mid-append (SIGKILL, OOM,
 * a crashed container): the last line is then cut short, and the next process's first append must
 * not glue its entry onto that fragment (the merged line would be unreadable, and an entry whose
 * `append` had resolved would be lost with it). Pinned by test/journal/file-journal.test.ts, which
 * kills real writers at random points.
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { syncDir } from '../_internal/fs-sync.ts';
import type { Journal, JournalEntry } from './journal.ts';

/** Options of {@link FileJournal}. */
export interface FileJournalOptions {
  /**
   * Flush every line to the disk (`fdatasync`) before its `append` resolves, so an acknowledged
   * entry survives a power loss or kernel crash too, not only a killed process. It costs a disk
   * flush per swap attempt: about 7× fewer appends per second and +0.5–0.8 ms per append on this
   * repository's VM (`npm run bench:journal`, docs/benchmarks.md). Without it, an entry whose
   * `append` resolved survives any crash of the process, not of the machine.
   * @defaultValue false
   */
  readonly fsync?: boolean;
}

/** The appends to one file in this process, in order, however many `FileJournal` objects name it. */
interface Writer {
  tail: Promise<void>;
  /** Whether the file is known to end on a line boundary; false until checked, and after a failed write. */
  clean: boolean;
  /** Whether the file's directory was made (once per process; a failure is tried again at the next append). */
  dirMade: boolean;
}

const writers = new Map<string, Writer>();

const NEWLINE = 0x0a;
const CHUNK = 1024 * 1024;

/**
 * An append-only JSON Lines journal on disk: one line per swap attempt.
 *
 * - Appends are serialised per file within the process (also across `FileJournal` objects for the
 *   same path), and each line goes out in one write, so lines never interleave.
 * - Before its first append, the journal repairs a torn tail left by a process killed mid-append:
 *   the bytes after the last newline are appended to {@link FileJournal.tornPath} (`<path>.torn`,
 *   a `#` header line with the time, size and offset, then the fragment as it was) and the file is
 *   truncated to its last complete line. Reading skips a torn last line without changing the file.
 * - One process writes a journal file at a time: a second process's repair would take the line
 *   the first is still writing for a torn one.
 *
 * @example
 * const runtime = createRuntime({ journal: new FileJournal('.hotswap/journal.jsonl') });
 * const durable = new FileJournal('.hotswap/journal.jsonl', { fsync: true }); // survives power loss, slower
 */
export class FileJournal implements Journal {
  readonly path: string;
  /** Where the fragments of torn lines are kept: `<path>.torn`. */
  readonly tornPath: string;
  /** Whether each line is flushed to the disk before its `append` resolves ({@link FileJournalOptions.fsync}). */
  readonly fsync: boolean;
  readonly #writer: Writer;

  constructor(path: string, options: FileJournalOptions = {}) {
    this.path = path;
    this.tornPath = `${path}.torn`;
    this.fsync = options.fsync === true;
    const key = resolve(path);
    let writer = writers.get(key);
    if (writer === undefined) {
      writer = { tail: Promise.resolve(), clean: false, dirMade: false };
      writers.set(key, writer);
    }
    this.#writer = writer;
  }

  append(entry: JournalEntry): Promise<void> {
    const line = Buffer.from(`${JSON.stringify(entry)}\n`, 'utf8');
    const writer = this.#writer;
    const next = writer.tail.then(async () => {
      if (!writer.dirMade) {
        await mkdir(dirname(this.path), { recursive: true });
        writer.dirMade = true;
      }
      if (!writer.clean) await repairTornTail(this.path, this.tornPath);
      writer.clean = false;
      await appendLine(this.path, line, this.fsync);
      writer.clean = true;
    });
    writer.tail = next.catch(() => undefined);
    return next;
  }

  /**
   * The entries on file, oldest first. Read line by line, so a journal past what one string can hold
   * (~512 MiB in V8) still reads; a line that is not JSON (a torn last line not yet repaired) is skipped.
   */
  async entries(): Promise<readonly JournalEntry[]> {
    await this.#writer.tail;
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const out: JournalEntry[] = [];
    const take = (line: Buffer): void => {
      const text = line.toString('utf8');
      if (text.trim() === '') return;
      try {
        out.push(upgraded(JSON.parse(text) as JournalEntry));
      } catch {
        // a torn final line from a crash mid-append, not yet repaired; everything before it is intact
      }
    };
    try {
      const buffer = Buffer.allocUnsafe(CHUNK);
      let partial: Buffer[] = []; // the start of a line that runs past the chunk
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
        if (bytesRead === 0) break;
        const chunk = buffer.subarray(0, bytesRead);
        let start = 0;
        for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
          take(partial.length === 0 ? chunk.subarray(start, end) : Buffer.concat([...partial, chunk.subarray(start, end)]));
          partial = [];
          start = end + 1;
        }
        if (start < bytesRead) partial.push(Buffer.from(chunk.subarray(start))); // a copy: the buffer is reused
      }
      if (partial.length > 0) take(Buffer.concat(partial));
    } finally {
      await handle.close();
    }
    return out;
  }
}

/** Appends one whole line in as few writes as the kernel allows (normally one). */
async function appendLine(path: string, line: Buffer, fsync: boolean): Promise<void> {
  const handle = await open(path, 'a');
  try {
    const created = fsync && (await handle.stat()).size === 0;
    await writeAll(handle, line);
    if (fsync) await handle.datasync();
    if (created) await syncDir(dirname(path));
  } finally {
    await handle.close();
  }
}

/**
 * If the file does not end with a newline, moves what follows the last one to `tornPath` (kept, and
 * flushed, before the journal is truncated: a crash in between leaves the fragment in both, never in
 * neither) and truncates the file to its last complete line.
 */
async function repairTornTail(path: string, tornPath: string): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const end = await endOfLastLine(handle, size);
    if (end === size) return;
    await keepFragment(handle, { from: end, to: size, source: path, tornPath });
    await handle.truncate(end);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The offset just past the last newline (0 if there is none), reading backwards from the end. */
async function endOfLastLine(handle: FileHandle, size: number): Promise<number> {
  const buffer = Buffer.allocUnsafe(Math.min(CHUNK, size));
  for (let end = size; end > 0; ) {
    const length = Math.min(CHUNK, end);
    const start = end - length;
    const { bytesRead } = await handle.read(buffer, 0, length, start);
    const at = buffer.subarray(0, bytesRead).lastIndexOf(NEWLINE);
    if (at >= 0) return start + at + 1;
    end = start;
  }
  return 0;
}

/** Appends `# <when>: <n> bytes torn off <file> at byte <from> …` and then the bytes themselves to the torn file. */
async function keepFragment(
  handle: FileHandle,
  { from, to, source, tornPath }: { readonly from: number; readonly to: number; readonly source: string; readonly tornPath: string },
): Promise<void> {
  const out = await open(tornPath, 'a+');
  try {
    const { size } = await out.stat();
    // A repair cut short by a crash may have left its own record torn: start on a fresh line.
    const last = Buffer.alloc(1);
    if (size > 0) await out.read(last, 0, 1, size - 1);
    if (size > 0 && last[0] !== NEWLINE) await writeAll(out, Buffer.from('\n'));
    const header = `# ${new Date().toISOString()}: ${to - from} bytes torn off ${basename(source)} at byte ${from} (an append cut short by a crash; not an entry)\n`;
    await writeAll(out, Buffer.from(header, 'utf8'));
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK, to - from));
    for (let at = from; at < to; ) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, to - at), at);
      if (bytesRead === 0) break;
      await writeAll(out, buffer.subarray(0, bytesRead));
      at += bytesRead;
    }
    await writeAll(out, Buffer.from('\n'));
    await out.sync();
    if (size === 0) await syncDir(dirname(tornPath));
  } finally {
    await out.close();
  }
}

/** Writes all of `bytes` at the end (the file is open for appending): the kernel may take fewer at a time. */
async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, null);
    done += bytesWritten;
  }
}

/**
 * An entry as this release writes it, from any release's line: before reports carried `ok`, derive it
 * from `outcome`; before rollbacks had their own outcome, a probation's rollback was written as
 * `committed` with `rolledBack` set — read as `rolled-back`. The file itself is never rewritten.
 */
export function upgraded(entry: JournalEntry): JournalEntry {
  const e = entry as unknown as Record<string, unknown>;
  const outcome = e['outcome'] === 'committed' && e['rolledBack'] !== undefined ? 'rolled-back' : e['outcome'];
  const ok = typeof e['ok'] === 'boolean' ? e['ok'] : typeof outcome === 'string' ? outcome !== 'refused' : e['ok'];
  return (outcome === e['outcome'] && ok === e['ok'] ? entry : { ...e, outcome, ok }) as JournalEntry;
}
