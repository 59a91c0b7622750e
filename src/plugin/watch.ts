/**
 * A watched plugin directory: every file that appears or changes is loaded once completely written,
 * and the live component is swapped to the newest version the directory's files chain up to —
 * through the normal coordinator (so every attempt is in the journal), one swap at a time, a newer
 * file superseding a queued older one. Every outcome is a typed event.
 *
 * Pinned by test/plugin/watch.test.ts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { extname } from 'node:path';
import type { Blocker } from '../blockers/blocker.ts';
import { HotswapError } from '../errors.ts';
import type { AnyLineage } from '../lineage/lineage.ts';
import type { LiveComponent } from '../runtime/component.ts';
import type { SwapOptions } from '../swap/options.ts';
import type { ProbationOutcome, SwapReport } from '../swap/report.ts';
import { checkProbationOptions } from '../runtime/probation.ts';
import type { WorkerComponent } from '../worker/host.ts';
import { PLUGIN_EXTENSIONS } from './load.ts';
import { type DirWatcher, watchDirectory } from './_internal/dir-watcher.ts';
import { type Entry, loadRefusalOf, targetOf } from './_internal/target.ts';
import { pluginError, type PluginError, pluginRefusal, type PluginRefusal } from './refusal.ts';

/** What a watched plugin directory reports. `file` is always an absolute path. */
export type PluginEvent =
  /**
   * A file was loaded and passed the loader's checks. `waitingFor`: the version missing below it.
   * For a worker-hosted component the main thread only checked where the file is and read its version
   * from its name (`from` is undefined): the candidate worker of the swap imports and validates it,
   * and refuses it (`load-refused`, `misfit-version` or `wrong-component`) unless the module carries,
   * as its newest version, the version the name claims, of this component, over the running version.
   */
  | { readonly type: 'loaded'; readonly file: string; readonly version: number; readonly from: number | undefined; readonly hash: string; readonly waitingFor?: number }
  /** A file was refused; whatever ran before keeps running. */
  | { readonly type: 'load-refused'; readonly file: string; readonly refusal: PluginRefusal }
  /** A queued swap to `version` was replaced, before it started, by one to a newer file. */
  | { readonly type: 'superseded'; readonly file: string; readonly version: number; readonly by: { readonly file: string; readonly version: number } }
  /** A swap committed. `file`: the target version's file (undefined for a version built into the lineage). */
  | { readonly type: 'swap-committed'; readonly file: string | undefined; readonly from: number; readonly to: number; readonly report: SwapReport }
  /** A swap was refused; the old version keeps serving. It is not retried until the directory changes. */
  | { readonly type: 'swap-refused'; readonly file: string | undefined; readonly from: number; readonly to: number; readonly report: SwapReport; readonly blockers: readonly Blocker[] }
  /**
   * The probation of a committed swap ended (`swap: { probation }`), after its `swap-committed`:
   * `permanent`, `rolled-back` (the old version serves again; the watcher does not swap to this target
   * again until the directory changes, as if refused) or `rollback-failed`.
   */
  | { readonly type: 'probation-ended'; readonly file: string | undefined; readonly from: number; readonly to: number; readonly outcome: ProbationOutcome }
  /** A file was removed: `reverting` (a swap down follows), `ignored` (its version keeps running), or `forgotten` (it was not running). */
  | { readonly type: 'removed'; readonly file: string; readonly version: number | undefined; readonly action: 'reverting' | 'ignored' | 'forgotten' }
  /** The directory could not be watched or read. */
  | { readonly type: 'error'; readonly error: PluginError };

/** Options of {@link watchPlugins}. */
export interface WatchPluginsOptions {
  /**
   * The live component to keep at the newest version the directory holds: in-process (from
   * `runtime.start`), or worker-hosted (from `hostInWorker` of hotswap/worker — its plugin files are
   * never imported on the main thread; see README, "Plugins").
   */
  readonly component: LiveComponent<any> | WorkerComponent<any>;
  /** Receives every {@link PluginEvent}. A throw in it is reported through `onError`, never unwinds the watcher. */
  readonly onEvent?: (event: PluginEvent) => void;
  /**
   * What removing the file of the running version does: `'revert'` swaps back to the version below
   * (through the link's `down`; refused as `irreversible` without one), `'ignore'` keeps it running.
   * @defaultValue 'ignore'
   */
  readonly onRemove?: 'revert' | 'ignore';
  /** Directories plugins may load from. @defaultValue [dir] */
  readonly roots?: readonly string[];
  /** How long a file must stay unchanged before it is loaded (editors and `cp` write in steps). @defaultValue 200 */
  readonly stableMs?: number;
  /** How often a changing file is looked at. @defaultValue 50 */
  readonly pollMs?: number;
  /**
   * Options of every swap the watcher makes (deadline, policies, preconditions, probation). On
   * probation, each committed swap is followed by a `probation-ended` event (its `onSettled` is called
   * too); a version its probation rolled back is treated as refused: not swapped to again until the
   * directory changes.
   */
  readonly swap?: Omit<SwapOptions, 'lineage'>;
  /** Run the loader's start check. @defaultValue true */
  readonly startCheck?: boolean;
  /** Machine input for the start check. */
  readonly input?: unknown;
  /** Errors thrown by `onEvent`. @defaultValue rethrow on a later tick */
  readonly onError?: (error: unknown) => void;
}

/** A watched plugin directory. */
export interface PluginWatcher {
  /** Resolves once the files present at start are loaded (the swap to them may still be running: see `idle`). */
  readonly ready: Promise<void>;
  /** The lineage the directory's files chain up to now (the component's, extended); undefined for a worker-hosted component (its lineage lives in its worker). */
  readonly lineage: AnyLineage | undefined;
  /** Resolves when no file is being written, loaded or swapped to. */
  idle(): Promise<void>;
  /** Stops watching at once (no event after it is taken); resolves once the directory watcher has closed and the load or swap in progress has finished. */
  close(): Promise<void>;
}

const watchable = (name: string): boolean =>
  !name.startsWith('.') && (PLUGIN_EXTENSIONS as readonly string[]).includes(extname(name));

/**
 * Watches `dir` for plugin files of `options.component` and swaps the component to the newest version
 * they chain up to. Files carry consecutive versions (`from + 1`); one that leaves a gap waits for the
 * missing one. A file rewriting a version that is already running is refused (publish a change as a
 * new version): the running code never changes under the same number.
 *
 * @example
 * const watcher = watchPlugins('plugins', { component: limiter, onEvent: (e) => log.info(e.type, e) });
 * await watcher.ready;
 */
export function watchPlugins(dir: string, options: WatchPluginsOptions): PluginWatcher {
  const component = options?.component;
  if (component === undefined || typeof (component as { swap?: unknown }).swap !== 'function') {
    throw new HotswapError('INVALID_ARGUMENT', 'Expected `component` to be a live component from `runtime.start(...)`');
  }
  const onRemove = options.onRemove ?? 'ignore';
  if (onRemove !== 'revert' && onRemove !== 'ignore') {
    throw new HotswapError('INVALID_ARGUMENT', `Expected \`onRemove\` to be 'revert' or 'ignore', got \`${String(onRemove)}\``);
  }
  const stableMs = options.stableMs ?? 200;
  const pollMs = options.pollMs ?? 50;
  for (const [name, v] of [['stableMs', stableMs], ['pollMs', pollMs]] as const) {
    if (!Number.isFinite(v) || v < 1) throw new HotswapError('INVALID_ARGUMENT', `Expected \`${name}\` to be a positive number, got \`${String(v)}\``);
  }
  const probation = options.swap?.probation;
  const misuse = checkProbationOptions(probation);
  if (misuse !== undefined) {
    const argument = String(misuse.details?.['argument']).replace(/^options\./, 'swap.');
    throw new HotswapError('INVALID_ARGUMENT', misuse.message.replace('`options.probation', '`swap.probation'), { details: { argument } });
  }
  const roots = options.roots ?? [dir];
  const target = targetOf(component, { roots, startCheck: options.startCheck, input: options.input });
  const builtIn = target.builtIn;
  const entries = new Map<number, Entry>(); // versions above the built-in ones, by number
  const versionOf = new Map<string, number>(); // file → the version its entry carries
  const known = new Map<string, number>(); // files carrying a version the component's lineage already had

  const reportError = (error: unknown): void => {
    if (options.onError !== undefined) options.onError(error);
    else setTimeout(() => { throw error; }, 0);
  };
  const emit = (event: PluginEvent): void => {
    try {
      options.onEvent?.(event);
    } catch (error) {
      reportError(error);
    }
  };

  // ── swaps: one at a time, always to the newest ───────────────────────────
  let swapping: Promise<void> | undefined;
  let queued: Entry | undefined;
  let refused: { target: unknown; from: unknown } | undefined; // not retried until something changes
  let holding = true; // until the initial scan is loaded: one swap to the newest, not one per file
  let reverting = false; // only a removed running file swaps down
  let closed = false;
  // the committed swap whose probation has not ended: while its rollback runs (the version is back
  // below `to`, the outcome not out yet), nothing is swapped — its outcome decides what is retried
  let probing: { readonly to: number } | undefined;

  /** The options of one swap and, on probation, the promise of how its probation ends. */
  // A worker-hosted component has probation for a drained replacement (a file) only: its swap to a
  // version number (a removed running file) runs inside the worker, without probation.
  const swapOptions = (toNumber: boolean): { options: WatchPluginsOptions['swap']; ended: Promise<ProbationOutcome> | undefined } => {
    if (probation === undefined) return { options: options.swap, ended: undefined };
    if (toNumber && target.kind === 'worker') return { options: { ...options.swap, probation: undefined }, ended: undefined };
    let tell!: (o: ProbationOutcome) => void;
    const ended = new Promise<ProbationOutcome>((resolve) => (tell = resolve));
    const onSettled = (o: ProbationOutcome): void => {
      tell(o);
      probation.onSettled?.(o);
    };
    return { options: { ...options.swap, probation: { ...probation, onSettled } }, ended };
  };

  const schedule = (): void => {
    if (holding || closed || target.stopped) return;
    if (probing !== undefined && target.version !== probing.to) return; // rolling back: its outcome schedules
    const top = target.top(entries);
    const running = target.version;
    if (swapping !== undefined) {
      const next = entries.get(top);
      if (next !== undefined && top > running && next !== queued) {
        if (queued !== undefined) emit({ type: 'superseded', file: queued.file, version: queued.version, by: { file: next.file, version: top } });
        queued = next;
      }
      return;
    }
    if (top === running || (top < running && !reverting)) return;
    const down = top < running;
    const what = target.targetOf(top, entries, down);
    if (refused !== undefined && refused.target === what && refused.from === target.running) return;
    queued = undefined;
    const used = new Map(entries);
    const entry = entries.get(top);
    const file = entry?.file;
    const toNumber = down || entry === undefined;
    const swap = swapOptions(toNumber);
    swapping = (async () => {
      const report = toNumber ? await target.down(top, swap.options) : await target.up(entry, used, swap.options);
      if (report.outcome === 'committed') {
        refused = undefined;
        reconcile(used, top);
        emit({ type: 'swap-committed', file, from: report.from, to: report.to, report });
        if (swap.ended !== undefined) {
          const mine = (probing = { to: report.to });
          // told once, maybe before swap() resolved (a failure on the held events or the migrated state)
          void swap.ended.then((outcome) => {
            if (probing === mine) probing = undefined;
            // a version rolled back is not swapped to again until something changes, as if refused
            if (outcome.outcome === 'rolled-back') refused = { target: what, from: target.running };
            if (!closed) emit({ type: 'probation-ended', file, from: report.from, to: report.to, outcome });
            schedule();
          });
        }
      } else {
        refused = { target: what, from: target.running };
        // a worker-hosted file is first imported by the candidate worker: what it could not load is a load refusal too
        const refusal = file === undefined || target.kind !== 'worker' ? undefined : loadRefusalOf(file, report.blockers, { version: top, running: report.from });
        if (refusal !== undefined) emit({ type: 'load-refused', file: file!, refusal });
        emit({ type: 'swap-refused', file, from: report.from, to: report.to, report, blockers: report.blockers });
      }
    })()
      .catch(reportError) // swap() resolves to a report even when refused; this is for a bug, not a refusal
      .finally(() => {
        swapping = undefined;
        if (down) reverting = false;
        schedule();
      });
  };

  // A file rewritten while a swap to its version ran lost: the committed version is the one that runs.
  const reconcile = (used: ReadonlyMap<number, Entry>, top: number): void => {
    for (const [n, e] of used) {
      if (n > top || entries.get(n) === e) continue;
      const lost = entries.get(n);
      entries.set(n, e);
      versionOf.set(e.file, n);
      if (lost !== undefined) {
        emit({ type: 'load-refused', file: lost.file, refusal: stale(lost, top) });
      }
    }
  };

  const stale = (e: Entry, running: number): PluginRefusal => {
    const n = e.version;
    const reason = n <= builtIn ? `v${n} is built into the lineage` : `v${n} is running; publish a change as v${running + 1}`;
    return pluginRefusal('misfit-version', { file: e.file, version: n, from: e.from, current: running, reason });
  };

  // ── file events, one at a time, in the order they settled ────────────────
  let work: Promise<void> = Promise.resolve();
  let pendingWork = 0;
  const enqueue = (task: () => Promise<void> | void): void => {
    pendingWork++;
    work = work
      .then(() => (closed ? undefined : task()))
      .catch(reportError)
      .finally(() => {
        pendingWork--;
      });
  };

  const changed = async (file: string): Promise<void> => {
    const r = await target.load(file);
    if (!r.ok) {
      emit({ type: 'load-refused', file, refusal: r.refusal });
      return;
    }
    const e = r.entry;
    const n = e.version;
    known.delete(file);
    const previous = entries.get(n);
    if (previous !== undefined && previous.file === file && previous.hash === e.hash) return; // same code
    if (target.knows(e)) {
      // the code the component already knows (the host loaded this file before watching, e.g. to
      // restore an envelope written by this version): the same module, so nothing to do
      known.set(file, n);
      emit({ type: 'loaded', file, version: n, from: e.from, hash: e.hash });
      return;
    }
    if (n <= builtIn || n <= target.version) {
      emit({ type: 'load-refused', file, refusal: stale(e, target.version) });
      return;
    }
    const before = versionOf.get(file);
    if (before !== undefined && before !== n && before > target.version && entries.get(before)?.file === file) entries.delete(before);
    entries.set(n, e);
    versionOf.set(file, n);
    const top = target.top(entries);
    emit(top >= n ? { type: 'loaded', file, version: n, from: e.from, hash: e.hash } : { type: 'loaded', file, version: n, from: e.from, hash: e.hash, waitingFor: top + 1 });
    schedule();
  };

  const removed = (file: string): void => {
    const n = versionOf.get(file);
    versionOf.delete(file);
    const k = known.get(file);
    if (k !== undefined) {
      known.delete(file);
      emit({ type: 'removed', file, version: k, action: 'ignored' });
      return;
    }
    if (n === undefined || entries.get(n)?.file !== file) {
      emit({ type: 'removed', file, version: n, action: 'forgotten' });
      return;
    }
    const running = target.version;
    if (n > running) {
      entries.delete(n);
      emit({ type: 'removed', file, version: n, action: 'forgotten' });
      schedule();
    } else if (n === running && onRemove === 'revert') {
      entries.delete(n);
      refused = undefined;
      reverting = true;
      emit({ type: 'removed', file, version: n, action: 'reverting' });
      schedule();
    } else emit({ type: 'removed', file, version: n, action: 'ignored' });
  };

  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const watcher: DirWatcher = watchDirectory(dir, { stableMs, pollMs }, {
    accept: watchable,
    changed: (file) => enqueue(() => changed(file)),
    removed: (file) => enqueue(() => removed(file)),
    ready: () =>
      enqueue(() => {
        holding = false;
        schedule();
        markReady();
      }),
    error: (error) => emit({ type: 'error', error: pluginError(error) }),
  });

  const busy = (): boolean => watcher.settling > 0 || pendingWork > 0 || swapping !== undefined;
  return {
    ready,
    get lineage() {
      return target.lineage(entries);
    },
    idle: async () => {
      while (busy() && !closed) await sleep(Math.min(pollMs, 20));
    },
    close: async () => {
      const stopped = watcher.close(); // no file event is taken from here on
      closed = true;
      markReady();
      await stopped;
      await work;
      await swapping;
    },
  };
}
