/**
 * The embedded default store: one readable JSON file per component instance, written atomically.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
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

const SUFFIX = '.json';

/**
 * Opens (lazily creating) a directory of envelopes, one `<id>.json` per component instance.
 *
 * Writes are atomic: a temp file in the same directory is written and fsynced, renamed over the
 * target, then the directory is fsynced, so a crash leaves the old file or the new one, never half.
 *
 * @example
 * const store = createFileStore('./state');
 * await store.save('driver-1', createEnvelope({ component: 'driver', version: 1, snapshot }));
 * const loaded = await store.load('driver-1');
 */
export function createFileStore(dir: string): FileStore {
  if (typeof dir !== 'string' || dir === '') {
    throw new HotswapError('INVALID_ARGUMENT', `Expected \`dir\` to be a non-empty path, got \`${String(dir)}\``);
  }
  const root = resolve(dir);

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
      try {
        await mkdir(root, { recursive: true });
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
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        const errno = (error as NodeJS.ErrnoException).code;
        if (errno === 'ENOENT') {
          return { ok: false, error: { code: 'ENVELOPE_NOT_FOUND', message: `No envelope saved for \`${id}\` (${path})`, details: { id, path } } };
        }
        return {
          ok: false,
          error: { code: 'ENVELOPE_UNREADABLE', message: `Could not read ${path}: ${describeError(error).message}`, details: { id, path, errno } },
        };
      }
      const parsed = parseEnvelope(text);
      if (parsed.ok) return parsed;
      return { ok: false, error: { ...parsed.error, details: { ...parsed.error.details, id, path } } };
    },

    async list(): Promise<string[]> {
      let names: string[];
      try {
        names = await readdir(root);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw new HotswapError('STORE_IO', `Could not list ${root}: ${describeError(error).message}`, { cause: error });
      }
      return names
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

async function writeAtomically(root: string, id: string, target: string, text: string): Promise<void> {
  // Temp names start with '.', which no instance id can, so list() never sees them.
  const temp = join(root, `.${id}.${process.pid}.${randomUUID()}.tmp`);
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
  await syncDir(root);
}

/** Makes the rename durable. Some platforms (Windows) cannot open or fsync a directory; skip there. */
async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Best effort by design: the rename itself is already atomic.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
