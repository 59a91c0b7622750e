/**
 * Watches one directory and reports a file only once it is completely written: after an event, the
 * file is polled until its size and mtime have not changed for `stableMs` (chokidar's
 * `awaitWriteFinish`, which this small interface is shaped to take: chokidar 5 is not a dependency of
 * the package yet). Built on `fs.watch` (inotify on Linux), non-recursive.
 *
 * Its timers are real ones on purpose: they measure the file system's time, not the component's.
 *
 * Pinned by test/plugin/watch.test.ts (chunked writes, removal).
 */
import { type FSWatcher, watch } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** What a {@link DirWatcher} reports. */
export interface DirWatcherHandlers {
  /** Which names to watch (by name, within the directory). */
  accept(name: string): boolean;
  /** A file appeared or changed, and has stopped changing. */
  changed(path: string): void;
  /** A file reported before is gone. */
  removed(path: string): void;
  /** The initial scan is done: every file present at start was reported (or found gone). */
  ready(): void;
  error(error: unknown): void;
}

/** A watched directory. */
export interface DirWatcher {
  /** Files seen changing and not yet settled. */
  readonly settling: number;
  close(): void;
}

/** Options of {@link watchDirectory}. */
export interface DirWatcherOptions {
  /** How long a file must stay unchanged to count as written. */
  readonly stableMs: number;
  /** How often a changing file is looked at. */
  readonly pollMs: number;
}

interface Settling {
  signature: string;
  stableFor: number;
  timer: NodeJS.Timeout;
}

export function watchDirectory(dir: string, options: DirWatcherOptions, on: DirWatcherHandlers): DirWatcher {
  const { stableMs, pollMs } = options;
  const reported = new Map<string, string>(); // name → signature last reported
  const settling = new Map<string, Settling>();
  let closed = false;
  let initial: Set<string> | undefined = new Set();

  const initialDone = (name: string): void => {
    if (initial === undefined) return;
    initial.delete(name);
    if (initial.size === 0) {
      initial = undefined;
      on.ready();
    }
  };

  const poll = async (name: string): Promise<void> => {
    const s = settling.get(name);
    if (s === undefined || closed) return;
    let signature: string | undefined;
    try {
      const st = await stat(join(dir, name));
      signature = st.isFile() ? `${st.size}:${st.mtimeMs}:${st.ino}` : undefined;
    } catch {
      signature = undefined;
    }
    if (closed || settling.get(name) !== s) return;
    if (signature === undefined) {
      settling.delete(name);
      if (reported.delete(name)) on.removed(join(dir, name));
      initialDone(name);
      return;
    }
    if (signature === s.signature) s.stableFor += pollMs;
    else {
      s.signature = signature;
      s.stableFor = 0;
    }
    if (s.stableFor < stableMs) {
      s.timer = setTimeout(() => void poll(name), pollMs);
      return;
    }
    settling.delete(name);
    if (reported.get(name) !== signature) {
      reported.set(name, signature);
      on.changed(join(dir, name));
    }
    initialDone(name);
  };

  const touch = (name: string): void => {
    if (closed || !on.accept(name)) return;
    const s = settling.get(name);
    if (s !== undefined) {
      s.stableFor = 0; // written again: wait the whole stable time from now
      return;
    }
    settling.set(name, { signature: '', stableFor: 0, timer: setTimeout(() => void poll(name), pollMs) });
  };

  let fsw: FSWatcher | undefined;
  try {
    fsw = watch(dir, { persistent: true }, (_event, name) => {
      if (typeof name === 'string') touch(name);
    });
    fsw.on('error', (e) => on.error(e));
  } catch (error) {
    queueMicrotask(() => on.error(error));
  }
  void readdir(dir).then(
    (names) => {
      const accepted = names.filter((n) => on.accept(n));
      for (const n of accepted) initial?.add(n);
      if (accepted.length === 0) initialDone('');
      for (const n of accepted) touch(n);
    },
    (error) => {
      on.error(error);
      initialDone('');
    },
  );

  return {
    get settling() {
      return settling.size + (initial === undefined ? 0 : 1);
    },
    close: () => {
      closed = true;
      fsw?.close();
      for (const s of settling.values()) clearTimeout(s.timer);
      settling.clear();
    },
  };
}
