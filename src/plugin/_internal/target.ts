/**
 * What the watcher swaps: an in-process live component, or the main-thread proxy of a worker-hosted
 * one (hotswap/worker). Chosen by duck typing so hotswap/plugin does not load the worker host.
 *
 * - in-process: a file is imported and checked by `loadPlugin`; versions chain (`from + 1`) into
 *   the component's lineage; a swap is `component.swap(n, { lineage })`.
 * - worker-hosted: the main thread never imports a plugin file (its code must go with the worker
 *   that ran it). It checks where the file is (roots, symlinks, `..`), reads it for its hash, and
 *   takes the version from the file's name (`<anything>-v<N>.js`, or `v<N>.ts`) to order the files;
 *   the candidate worker of the swap `proxy.swap({ module, version: N, exact: true })` imports it and
 *   checks what it really carries: this component, newest version N, a lineage holding the running
 *   version — a name that lies is a `misfit-version` refusal naming the file (loadRefusalOf). Each file is
 *   self-contained (it re-exports the lineage it extends), so there is no chain to wait for: the
 *   newest file is the target.
 */
import { basename, extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Blocker } from '../../blockers/blocker.ts';
import type { AnyLineage } from '../../lineage/lineage.ts';
import type { LiveComponent } from '../../runtime/component.ts';
import type { SwapOptions } from '../../swap/options.ts';
import type { SwapReport } from '../../swap/report.ts';
import type { WorkerComponent } from '../../worker/host.ts';
import type { WorkerSwapOptions } from '../../worker/types.ts';
import type { AnyPlugin } from '../define.ts';
import { extendLineage, loadPlugin, locatePluginFile } from '../load.ts';
import { pluginRefusal, type PluginRefusal } from '../refusal.ts';
import { contentHash } from './import.ts';

/** A file the watcher accepted: its version, and (in-process only) the plugin it carries. */
export interface Entry {
  readonly file: string;
  /** The real path: what was checked against the roots, and what a worker loads. */
  readonly real: string;
  readonly hash: string;
  readonly version: number;
  /** The version the file migrates from; undefined for a worker-hosted component (not imported here). */
  readonly from: number | undefined;
  readonly plugin: AnyPlugin | undefined;
}

export type Loaded = { readonly ok: true; readonly entry: Entry } | { readonly ok: false; readonly refusal: PluginRefusal };

export interface PluginTarget {
  readonly kind: 'in-process' | 'worker';
  readonly name: string;
  /** The running version. */
  readonly version: number;
  readonly stopped: boolean;
  /** The newest version the component had when watching started: files at or below it are stale. */
  readonly builtIn: number;
  /** What the running code is, for "refused: not retried until something changes". */
  readonly running: unknown;
  load(file: string): Promise<Loaded>;
  /** The entry is code the component already runs or knows (e.g. loaded by the host before watching). */
  knows(entry: Entry): boolean;
  /** The newest version the entries make reachable. */
  top(entries: ReadonlyMap<number, Entry>): number;
  /** The lineage the entries chain up to (in-process only). */
  lineage(entries: ReadonlyMap<number, Entry>): AnyLineage | undefined;
  /** Swaps up to `entry` (the newest reachable). */
  up(entry: Entry, entries: ReadonlyMap<number, Entry>, options: Omit<SwapOptions, 'lineage'> | undefined): Promise<SwapReport>;
  /** Swaps down to `n`, through the running code's `down` links (a removed running file). */
  down(n: number, options: Omit<SwapOptions, 'lineage'> | undefined): Promise<SwapReport>;
  /** Identity of a swap target, for "refused: not retried until something changes". */
  targetOf(n: number, entries: ReadonlyMap<number, Entry>, down: boolean): unknown;
}

export interface TargetOptions {
  readonly roots: readonly string[];
  readonly startCheck: boolean | undefined;
  readonly input: unknown;
}

/** The version a worker-hosted plugin file's name carries: `limiter-v4.js`, `v4.ts`, `limiter.v4.mjs`. */
export function versionFromName(file: string): number | undefined {
  const stem = basename(file, extname(file));
  const m = /(?:^|[^A-Za-z0-9])v([1-9][0-9]{0,8})$/.exec(stem);
  return m === null ? undefined : Number(m[1]);
}

type Component = LiveComponent<any> | WorkerComponent<any>;

/** True for a worker-hosted proxy: it has the module URL it runs and no lineage on this thread. */
function isWorkerHosted(c: Component): c is WorkerComponent<any> {
  return typeof (c as { module?: unknown }).module === 'string' && (c as { lineage?: unknown }).lineage === undefined;
}

export function targetOf(component: Component, options: TargetOptions): PluginTarget {
  return isWorkerHosted(component) ? inWorker(component, options) : inProcess(component, options);
}

function inProcess(component: LiveComponent<any>, options: TargetOptions): PluginTarget {
  const base = component.lineage;
  const chain = (entries: ReadonlyMap<number, Entry>): AnyLineage => {
    let l = base;
    for (let n = base.current.version + 1; entries.has(n); n++) {
      const e = entries.get(n)!;
      const r = extendLineage(l, e.plugin!, { file: e.file });
      if (!r.ok) break; // cannot happen: the contract makes every plugin `from + 1`
      l = r.lineage;
    }
    return l;
  };
  return {
    kind: 'in-process',
    name: base.name,
    builtIn: base.current.version,
    get version() {
      return component.version;
    },
    get stopped() {
      return component.status === 'stopped';
    },
    get running() {
      return component.definition;
    },
    load: async (file) => {
      const r = await loadPlugin(file, { roots: options.roots, component: base.name, ...(options.startCheck === undefined ? {} : { startCheck: options.startCheck }), input: options.input });
      if (!r.ok) return r;
      return { ok: true, entry: { file, real: r.file, hash: r.hash, version: r.plugin.version.version, from: r.plugin.from, plugin: r.plugin } };
    },
    knows: (e) => component.lineage.get(e.version) === e.plugin!.version || base.get(e.version) === e.plugin!.version,
    top: (entries) => chain(entries).current.version,
    lineage: chain,
    up: (entry, entries, swap) => component.swap(entry.version, { ...swap, lineage: chain(entries) }),
    down: (n, swap) => component.swap(n, { ...swap, lineage: component.lineage }),
    targetOf: (n, entries, down) => (down ? component.lineage : chain(entries)).get(n),
  };
}

function inWorker(proxy: WorkerComponent<any>, options: TargetOptions): PluginTarget {
  const builtIn = proxy.version;
  return {
    kind: 'worker',
    name: proxy.name,
    builtIn,
    get version() {
      return proxy.version;
    },
    get stopped() {
      return proxy.status === 'stopped';
    },
    get running() {
      return `${proxy.module}#${proxy.version}`;
    },
    load: async (file) => {
      const r = await locatePluginFile(file, options.roots);
      if (!r.ok) return r;
      const version = versionFromName(r.path);
      if (version === undefined) {
        return {
          ok: false,
          refusal: pluginRefusal('unsupported-file', { file: r.path, reason: 'a plugin file of a worker-hosted component names its version: `<name>-v<N>.js` (the main thread does not import it)' }),
        };
      }
      return { ok: true, entry: { file, real: r.target, hash: contentHash(r.content), version, from: undefined, plugin: undefined } };
    },
    knows: (e) => pathToFileURL(e.real).href === proxy.module,
    // the version the component started with, or the newest file: below the running one only once its file is removed (reverting)
    top: (entries) => Math.max(builtIn, ...entries.keys()),
    lineage: () => undefined,
    // `exact`: the candidate refuses a file whose module does not carry, as its newest, the version its name claims
    up: (entry, _entries, swap) => proxy.swap({ module: pathToFileURL(entry.real), version: entry.version, exact: true }, swap as WorkerSwapOptions | undefined),
    down: (n, swap) => proxy.swap(n, swap as WorkerSwapOptions | undefined),
    targetOf: (n, entries, down) => (down ? `down:${n}` : entries.get(n)),
  };
}

const SYNTAX = new Set(['SyntaxError', 'TransformError']);

/**
 * A worker-hosted swap refused because the candidate worker could not load the file: the refusal the
 * in-process loader would have given (`syntax-error`, `import-threw`, `malformed-export` for a module
 * that breaks the worker module contract), naming the file.
 */
export function loadRefusalOf(file: string, blockers: readonly Blocker[], claimed: { readonly version: number; readonly running: number }): PluginRefusal | undefined {
  const b = blockers.find((x) => x.kind === 'candidate-failed') as Extract<Blocker, { kind: 'candidate-failed' }> | undefined;
  if (b === undefined || b.phase !== 'load') return undefined;
  const { code, details } = b.error as { code?: unknown; details?: Record<string, unknown> };
  const error = { name: b.error.name, message: b.error.message, ...(typeof code === 'string' ? { code } : {}) };
  if (SYNTAX.has(error.name)) return pluginRefusal('syntax-error', { file, error });
  if (error.name === 'HostedModuleError') {
    // the module contract's codes are the loader's (src/worker/module.ts)
    if (code === 'missing-export') return pluginRefusal('missing-export', { file });
    if (code === 'wrong-component') return pluginRefusal('wrong-component', { file, expected: String(details?.['expected']), got: String(details?.['got']) });
    if (code === 'misfit-version') return pluginRefusal('misfit-version', { file, version: claimed.version, from: undefined, current: claimed.running, reason: error.message });
    return pluginRefusal('malformed-export', { file, problems: [error.message] });
  }
  return pluginRefusal('import-threw', { file, error });
}
