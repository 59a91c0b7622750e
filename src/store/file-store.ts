/**
 * The embedded default store: one readable JSON file per component instance, written atomically.
 */
import { randomUUID } from 'node:crypto';
import { type Dirent, constants } from 'node:fs';
import { type FileHandle, lstat, mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { syncDir } from '../_internal/fs-sync.ts';
import { HotswapError, describeError } from '../errors.ts';
import { type Envelope, parseEnvelope, serializeEnvelope } from './envelope.ts';
import { type EnvelopeStore, type LoadResult, isInstanceId } from './store.ts';

/** A store of envelopes in one directory: `<dir>/<id>.json`. */
export interface FileStore extends EnvelopeStore {
  /** The absolute directory the envelopes live in. */
  readonly dir: string;
  /** The file an instance's envelope is written to. Throws `INVALID_ARGUMENT` on a bad id. */
  pathOf(id: string): string;
}

/** Options of {@link createFileStore}. */
export interface FileStoreOptions {
  /**
   * How old (by modification time) a temp file of this store must be before a save sweeps it away
   * as the leftover of a save that was killed. A live save rewrites its temp file and renames it
   * within moments; one that takes longer than this, in another process sharing the directory,
   * fails with `STORE_IO` (its rename finds no temp file) and leaves the old envelope in place.
   * @defaultValue 60_000
   */
  readonly staleTempMs?: number;
}

const SUFFIX = '.json';

/** @see FileStoreOptions.staleTempMs */
export const DEFAULT_STALE_TEMP_MS = 60_000;

/** `.<id>.<pid>.<uuid>.tmp`: the temp files {@link writeAtomically} makes, and the only ones a sweep removes. */
const TEMP_NAME = /^\.(.+)\.\d+\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.tmp$/;

/** The temp files saves in this process are writing now: never swept, whatever their age. */
const writing = new Set<string>();

/**
 * The largest envelope file the store writes or reads: 256 MiB. Checked before reading, so a huge
 * file cannot exhaust memory; V8 cannot hold a string much past 512 MiB anyway.
 */
export const MAX_ENVELOPE_BYTES = 256 * 1024 * 1024;

// No following a symlink swapped in after the lstat; no blocking on a FIFO. 0 where the platform has none.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * Opens (lazily creating) a directory of envelopes, one `<id>.json` per component instance.
 *
 * Only regular files in the directory itself count: `load` refuses a symlink (`ENVELOPE_UNREADABLE`,
 * `details.reason: 'symlink'`) and a file over {@link MAX_ENVELOPE_BYTES} (`'too-large'`, before
 * reading it), and `list` leaves out symlinks and directories.
 *
 * Writes are atomic: a temp file in the same directory (`.<id>.<pid>.<random>.tmp`) is written and
 * fsynced, renamed over the target, then the directory is fsynced, so a crash leaves the old file or
 * the new one, never half. A save killed midway leaves its temp file behind; the first save of a
 * store, and then at most one save per `staleTempMs`, removes those older than
 * {@link FileStoreOptions.staleTempMs}. Age, not the pid in the name, decides: processes sharing a
 * directory from other containers or hosts have pids that mean nothing here.
 *
 * @example
 * const store = createFileStore('./state');
 * await store.save('driver-1', createEnvelope({ component: 'driver', version: 1, snapshot }));
 * const loaded = await store.load('driver-1');
 */
export function createFileStore(dir: string, options: FileStoreOptions = {}): FileStore {
  if (typeof dir !== 'string' || dir === '') {
    throw new HotswapError('INVALID_ARGUMENT', `Expected \`dir\` to be a non-empty path, got \`${String(dir)}\``);
  }
  const staleMs = options.staleTempMs ?? DEFAULT_STALE_TEMP_MS;
  if (typeof staleMs !== 'number' || !(staleMs >= 0) || staleMs === Infinity) {
    throw new HotswapError('INVALID_ARGUMENT', `Expected \`staleTempMs\` to be a non-negative finite number, got \`${String(staleMs)}\``);
  }
  const root = resolve(dir);
  let nextSweepAt = 0;
  let sweeping: Promise<void> | undefined;
  const sweepIfDue = (): Promise<void> | undefined => {
    const now = Date.now();
    if (sweeping === undefined && now >= nextSweepAt) {
      nextSweepAt = now + staleMs;
      sweeping = sweepStaleTemps(root, staleMs).finally(() => (sweeping = undefined));
    }
    return sweeping;
  };

  const pathOf = (id: string): string => {
    if (!isInstanceId(id)) {
      throw new HotswapError(
        'INVALID_ARGUMENT',
        `Expected an instance id of 1-128 letters, digits, '.', '_' or '-' starting with a letter or digit, got \`${String(id)}\``,
        { details: { id } },
      );
    }
    return join(root, id + SUFFIX);
  };

  return Object.freeze({
    dir: root,
    pathOf,

    async save(id: string, envelope: Envelope): Promise<void> {
      const target = pathOf(id);
      // Never write what load would refuse.
      const checked = parseEnvelope(envelope);
      if (!checked.ok) throw new HotswapError(checked.error.code, checked.error.message, { details: { ...checked.error.details, id } });
      const text = serializeEnvelope(checked.envelope);
      const size = Buffer.byteLength(text, 'utf8');
      if (size > MAX_ENVELOPE_BYTES) {
        throw new HotswapError('ENVELOPE_INVALID', `Expected the envelope of \`${id}\` to be at most ${MAX_ENVELOPE_BYTES} bytes as JSON, got ${size}`, {
          details: { id, field: 'envelope', size, limit: MAX_ENVELOPE_BYTES },
        });
      }
      try {
        await mkdir(root, { recursive: true });
        await sweepIfDue();
        await writeAtomically(root, id, target, text);
      } catch (error) {
        throw new HotswapError('STORE_IO', `Could not write the envelope of \`${id}\` to ${target}: ${describeError(error).message}`, {
          cause: error,
          details: { id, path: target },
        });
      }
    },

    async load(id: string): Promise<LoadResult> {
      if (!isInstanceId(id)) {
        return { ok: false, error: { code: 'INVALID_ARGUMENT', message: `Expected a valid instance id, got \`${String(id)}\``, details: { id } } };
      }
      const path = pathOf(id);
      const read = await readEnvelopeFile(path);
      if (!read.ok) {
        const { reason, message, ...more } = read;
        if (reason === 'missing') {
          return { ok: false, error: { code: 'ENVELOPE_NOT_FOUND', message: `No envelope saved for \`${id}\` (${path})`, details: { id, path } } };
        }
        return { ok: false, error: { code: 'ENVELOPE_UNREADABLE', message: `Could not read ${path}: ${message}`, details: { id, path, reason, ...more } } };
      }
      const parsed = parseEnvelope(read.text);
      if (parsed.ok) return parsed;
      return { ok: false, error: { ...parsed.error, details: { ...parsed.error.details, id, path } } };
    },

    async list(): Promise<string[]> {
      let entries: Dirent[];
      try {
        entries = await readdir(root, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw new HotswapError('STORE_IO', `Could not list ${root}: ${describeError(error).message}`, { cause: error });
      }
      // Regular files only (the entry itself, not what it points to): a symlink, even a dangling
      // one, a directory or a FIFO named `x.json` is no envelope load would read.
      return entries
        .filter((e) => e.isFile())
        .map((e) => e.name)
        .filter((n) => n.endsWith(SUFFIX))
        .map((n) => n.slice(0, -SUFFIX.length))
        .filter(isInstanceId)
        .sort();
    },

    async remove(id: string): Promise<boolean> {
      const path = pathOf(id);
      try {
        await unlink(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw new HotswapError('STORE_IO', `Could not remove ${path}: ${describeError(error).message}`, { cause: error, details: { id, path } });
      }
      await syncDir(root);
      return true;
    },
  });
}

type FileRead =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly reason: 'missing' | 'symlink' | 'not-a-file' | 'too-large' | 'io'; readonly message: string; readonly [k: string]: unknown };

/**
 * Reads an envelope file: a regular file in the store directory itself, at most
 * {@link MAX_ENVELOPE_BYTES}. Never follows a symlink (it could point anywhere, and its target's
 * bytes would end up in an error message), never quotes the file's contents.
 */
async function readEnvelopeFile(path: string): Promise<FileRead> {
  const failed = (error: unknown): FileRead => {
    const errno = (error as NodeJS.ErrnoException).code;
    if (errno === 'ENOENT') return { ok: false, reason: 'missing', message: 'no such file' };
    // ELOOP: O_NOFOLLOW met a symlink put there after the lstat.
    if (errno === 'ELOOP') return { ok: false, reason: 'symlink', message: 'it is a symbolic link; the store reads only regular files' };
    return { ok: false, reason: 'io', message: describeError(error).message, errno };
  };
  let handle: FileHandle | undefined;
  try {
    const link = await lstat(path);
    if (link.isSymbolicLink()) return { ok: false, reason: 'symlink', message: 'it is a symbolic link; the store reads only regular files' };
    handle = await open(path, OPEN_FLAGS);
    const stats = await handle.stat();
    if (!stats.isFile()) return { ok: false, reason: 'not-a-file', message: 'it is not a regular file' };
    if (stats.size > MAX_ENVELOPE_BYTES) {
      return { ok: false, reason: 'too-large', message: `it is ${stats.size} bytes, over the ${MAX_ENVELOPE_BYTES}-byte limit`, size: stats.size, limit: MAX_ENVELOPE_BYTES };
    }
    // Read at most one byte past the limit: the file may have grown since the stat.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(stats.size + 1 - total, 65_536), MAX_ENVELOPE_BYTES + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > MAX_ENVELOPE_BYTES) {
        return { ok: false, reason: 'too-large', message: `it is over the ${MAX_ENVELOPE_BYTES}-byte limit`, size: total, limit: MAX_ENVELOPE_BYTES };
      }
    }
    return { ok: true, text: Buffer.concat(chunks, total).toString('utf8') };
  } catch (error) {
    return failed(error);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

async function writeAtomically(root: string, id: string, target: string, text: string): Promise<void> {
  // Temp names start with '.', which no instance id can, so list() never sees them.
  const temp = join(root, `.${id}.${process.pid}.${randomUUID()}.tmp`);
  writing.add(temp);
  try {
    await writeTemp(temp, target, text);
  } finally {
    writing.delete(temp);
  }
  await syncDir(root);
}

async function writeTemp(temp: string, target: string, text: string): Promise<void> {
  const handle = await open(temp, 'wx');
  try {
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/**
 * Removes the temp files of killed saves: regular files named as {@link writeAtomically} names them,
 * last modified more than `staleMs` ago, not being written by this process. Best effort: a file
 * that vanishes or cannot be removed meanwhile is left to the next sweep, and the save goes on.
 */
async function sweepStaleTemps(root: string, staleMs: number): Promise<void> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return;
  }
  const now = Date.now();
  let removed = 0;
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (m === null || !isInstanceId(m[1]!)) continue;
    const path = join(root, name);
    if (writing.has(path)) continue;
    try {
      const stats = await lstat(path);
      if (!stats.isFile() || now - stats.mtimeMs <= staleMs) continue;
      await unlink(path);
      removed++;
    } catch {
      // gone already (another process swept it), or not ours to remove: leave it
    }
  }
  if (removed > 0) await syncDir(root);
}
