/**
 * Watches one directory (its own files, not subdirectories) and reports a file only once it is
 * completely written. Built on chokidar 5: its `awaitWriteFinish` holds a changed file until its size
 * has not changed for `stableMs`, its `atomic` turns an editor's save (delete or rename, then write)
 * into one change, and it follows a file replaced by a rename.
 *
 * chokidar does not await the writes of the files its initial scan finds (paulmillr/chokidar#594,
 * #1100), so a file found there that was modified less than `stableMs` ago is held here until it has
 * stayed the same for `stableMs`; the directory is `ready` once every file present at start was
 * reported (or found gone). A file reported
 * again with the same size, mtime and inode is not reported twice.
 *
 * Its timers are real ones on purpose: they measure the file system's time, not the component's.
 *
 * Pinned by test/plugin/watch.test.ts (chunked writes, atomic saves, removal, the files there at start).
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { type FSWatcher, watch } from 'chokidar';

/** What a {@link DirWatcher} reports. */
export interface DirWatcherHandlers {
  /** Which names to watch (by name, within the directory). */
  accept(name: string): boolean;
  /** A file appeared or changed, and has stopped changing. `path` is absolute. */
  changed(path: string): void;
  /** A file reported before is gone. */
  removed(path: string): void;
  /** The initial scan is done: every file present at start was reported (or found gone). */
  ready(): void;
  error(error: unknown): void;
}

/** A watched directory. */
export interface DirWatcher {
  /** Files seen changing and not yet settled (an estimate bounded by the stability window: see `window`). */
  readonly settling: number;
  /** Stops watching: no handler is called once it is called; resolves once chokidar has closed. */
  close(): Promise<void>;
}

/** Options of {@link watchDirectory}. */
export interface DirWatcherOptions {
  /** How long a file must stay unchanged to count as written. */
  readonly stableMs: number;
  /** How often a changing file is looked at. */
  readonly pollMs: number;
}

/** chokidar's `atomic` default: an unlink followed by an add within it is one change. */
const ATOMIC_MS = 100;

const signatureOf = (st: Stats): string => `${st.size}:${st.mtimeMs}:${st.ino}`;

export function watchDirectory(dir: string, options: DirWatcherOptions, on: DirWatcherHandlers): DirWatcher {
  const { stableMs, pollMs } = options;
  const root = resolve(dir);
  // A raw file-system event with no chokidar event after it for this long was one chokidar drops
  // (an access, a throttled repeat): the name stops counting as settling.
  const window = 2 * (stableMs + pollMs) + ATOMIC_MS;
  const reported = new Map<string, string>(); // name → signature last reported
  const seen = new Map<string, number>(); // name → until when a raw event makes it count as settling
  const held = new Map<string, NodeJS.Timeout>(); // found by the initial scan, still being written
  let closed = false;
  let scanned = false; // chokidar's initial scan is done
  let readySent = false;
  let fsw: FSWatcher | undefined;

  const maybeReady = (): void => {
    if (readySent || !scanned || held.size > 0) return;
    readySent = true;
    on.ready();
  };

  const report = (name: string, st: Stats): void => {
    const signature = signatureOf(st);
    if (reported.get(name) === signature) return;
    reported.set(name, signature);
    on.changed(join(root, name));
  };

  const release = (name: string): void => {
    const t = held.get(name);
    if (t === undefined) return;
    clearTimeout(t);
    held.delete(name);
  };

  // Before its `ready`, chokidar reports files as they are: hold a fresh one until it stops changing.
  const hold = (name: string, st: Stats): void => {
    release(name);
    const age = Date.now() - st.mtimeMs;
    if (age >= stableMs) {
      report(name, st);
      return;
    }
    const signature = signatureOf(st);
    held.set(
      name,
      setTimeout(() => {
        void stat(join(root, name)).then(
          (now) => {
            if (closed || !held.has(name)) return;
            if (!now.isFile()) {
              held.delete(name);
              maybeReady();
            } else if (signatureOf(now) === signature && Date.now() - now.mtimeMs >= stableMs) {
              held.delete(name);
              report(name, now);
              maybeReady();
            } else hold(name, now);
          },
          () => {
            if (closed || !held.has(name)) return;
            held.delete(name); // gone before it settled: nothing was reported, nothing to remove
            maybeReady();
          },
        );
      }, Math.max(pollMs, stableMs - age)),
    );
  };

  const settled = (path: string, st: Stats | undefined): void => {
    const name = basename(path);
    if (closed || dirname(path) !== root) return;
    seen.delete(name);
    if (st === undefined || !st.isFile()) return;
    if (!readySent) hold(name, st);
    else {
      release(name);
      report(name, st);
    }
    maybeReady(); // a held file chokidar reported settled releases the initial scan too
  };

  const start = (): void => {
    fsw = watch(root, {
      depth: 0,
      ignoreInitial: false,
      alwaysStat: true,
      atomic: ATOMIC_MS,
      awaitWriteFinish: { stabilityThreshold: stableMs, pollInterval: pollMs },
      ignored: (path) => path !== root && !on.accept(basename(path)),
    });
    fsw.on('add', settled);
    fsw.on('change', settled);
    fsw.on('unlink', (path) => {
      const name = basename(path);
      if (closed || dirname(path) !== root) return;
      seen.delete(name);
      release(name);
      if (reported.delete(name)) on.removed(join(root, name));
      maybeReady();
    });
    fsw.on('raw', (_event, path, details) => {
      // a directory's watcher names the file; a file's own watcher may not: its watched path does
      const watched = (details as { watchedPath?: unknown } | undefined)?.watchedPath;
      const name = typeof path === 'string' && path !== '' ? basename(path) : typeof watched === 'string' ? basename(watched) : '';
      if (!closed && name !== '' && on.accept(name)) seen.set(name, Date.now() + window);
    });
    fsw.on('ready', () => {
      if (closed) return;
      scanned = true;
      maybeReady();
    });
    fsw.on('error', (error) => {
      if (!closed) on.error(error);
    });
  };

  // chokidar waits silently for a missing directory to appear; the contract reports it instead.
  void stat(root).then(
    (st) => {
      if (closed) return;
      if (st.isDirectory()) start();
      else {
        on.error(Object.assign(new Error(`ENOTDIR: not a directory, watch '${root}'`), { code: 'ENOTDIR', path: root }));
        scanned = true;
        maybeReady();
      }
    },
    (error: unknown) => {
      if (closed) return;
      on.error(error);
      scanned = true;
      maybeReady();
    },
  );

  return {
    get settling() {
      const now = Date.now();
      for (const [name, until] of seen) if (until <= now) seen.delete(name);
      return seen.size + held.size + (readySent ? 0 : 1);
    },
    close: async () => {
      closed = true;
      for (const t of held.values()) clearTimeout(t);
      held.clear();
      seen.clear();
      await fsw?.close();
    },
  };
}
