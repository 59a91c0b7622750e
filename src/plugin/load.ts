/**
 * Loads one plugin file: checks where it is, imports it, checks its export against the contract, the
 * component, the running lineage and whether its machine can start. Every refusal is a typed result
 * naming the file, never a throw; the running version is never touched.
 *
 * Pinned by test/plugin/load.test.ts.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { HotswapError } from '../errors.ts';
import { tracePluginLoad } from '../diagnostics/channels.ts';
import { type AnyLineage, extendResult } from '../lineage/lineage.ts';
import { checkPluginExport } from './check.ts';
import type { AnyPlugin } from './define.ts';
import { contentHash, importPluginFile } from './_internal/import.ts';
import { isInside, resolveRoots } from './_internal/roots.ts';
import { startProblem } from './_internal/start-check.ts';
import { pluginError, pluginRefusal, type PluginRefusal } from './refusal.ts';

/** File extensions the loader imports (ESM only: `.cjs` / `.cts` are refused). */
export const PLUGIN_EXTENSIONS = ['.js', '.mjs', '.ts', '.mts'] as const;

/** Options of {@link loadPlugin}. */
export interface LoadPluginOptions {
  /**
   * The directories plugins may load from. The file must lie inside one of them as written (`..`
   * resolved) and after following symlinks.
   */
  readonly roots: readonly string[];
  /**
   * The lineage the component runs now: the plugin must be a version of its component and extend its
   * current version (`lineage.tryExtend`). Without it, only `component` (if given) is checked.
   */
  readonly lineage?: AnyLineage;
  /** The component the plugin must belong to, when no `lineage` is given. */
  readonly component?: string;
  /**
   * Check that the new version's machine can start (see README, "Plugins").
   * @defaultValue true
   */
  readonly startCheck?: boolean;
  /** Machine input for the start check, for machines whose context is built from `input`. @defaultValue undefined */
  readonly input?: unknown;
}

/** Result of {@link loadPlugin}. */
export type LoadPluginResult =
  | {
      readonly ok: true;
      /** The real path of the file that was imported. */
      readonly file: string;
      /** Hash of the file's content: which code was loaded. */
      readonly hash: string;
      readonly plugin: AnyPlugin;
      /** `options.lineage` extended by the plugin, when a lineage was given. */
      readonly lineage?: AnyLineage;
    }
  | { readonly ok: false; readonly refusal: PluginRefusal };

const refuse = (refusal: PluginRefusal): LoadPluginResult => ({ ok: false, refusal });

const isSyntaxError = (error: unknown): boolean => {
  const name = error instanceof Error ? error.name : '';
  // Node's own parser throws SyntaxError; tsx's esbuild transform throws TransformError
  return name === 'SyntaxError' || name === 'TransformError';
};

/**
 * Extends `lineage` with a loaded plugin, as a result: `misfit-version` when the plugin does not
 * continue the lineage's current version.
 */
export function extendLineage(
  lineage: AnyLineage,
  plugin: AnyPlugin,
  options: { readonly file: string },
): { ok: true; lineage: AnyLineage } | { ok: false; refusal: Extract<PluginRefusal, { code: 'misfit-version' }> } {
  const r = extendResult(lineage, plugin);
  if (r.ok) return r;
  const current = lineage.current.version;
  const reason = plugin.from < current ? `v${plugin.version.version} is already in the lineage` : `the lineage has no v${plugin.from} yet`;
  return {
    ok: false,
    refusal: pluginRefusal('misfit-version', { file: options.file, version: plugin.version.version, from: plugin.from, current, reason, error: r.error }),
  };
}

/**
 * The main thread's part of loading a file, without importing it: inside the roots as written and
 * after following symlinks, a plugin extension, a regular file, and its content. Used by
 * {@link loadPlugin} and, for a worker-hosted component, by the watcher (which hands the real path to
 * the candidate worker instead of importing it).
 * @internal
 */
export async function locatePluginFile(
  file: string,
  roots: readonly string[],
): Promise<{ readonly ok: true; readonly path: string; readonly target: string; readonly content: Uint8Array } | { readonly ok: false; readonly refusal: PluginRefusal }> {
  const fail = (refusal: PluginRefusal) => ({ ok: false, refusal }) as const;
  const path = resolve(file);
  const { lexical, real } = await resolveRoots(roots);
  if (!lexical.some((r) => isInside(r, path))) return fail(pluginRefusal('outside-roots', { file: path, resolved: path, roots: lexical }));
  let target: string;
  try {
    target = await realpath(path);
  } catch {
    return fail(pluginRefusal('not-found', { file: path }));
  }
  if (!real.some((r) => isInside(r, target))) return fail(pluginRefusal('outside-roots', { file: path, resolved: target, roots: real }));
  const ext = extname(target);
  if (!(PLUGIN_EXTENSIONS as readonly string[]).includes(ext)) {
    return fail(pluginRefusal('unsupported-file', { file: path, reason: `'${ext}' is not a plugin extension (${PLUGIN_EXTENSIONS.join(', ')})` }));
  }
  try {
    if (!(await stat(target)).isFile()) return fail(pluginRefusal('unsupported-file', { file: path, reason: 'not a regular file' }));
    return { ok: true, path, target, content: await readFile(target) };
  } catch {
    return fail(pluginRefusal('not-found', { file: path })); // removed between the checks
  }
}

/**
 * Loads a plugin file. Resolves to the plugin (and the extended lineage) or to a refusal; never
 * rejects for anything the file does. Throws `INVALID_ARGUMENT` only for misuse (no roots).
 *
 * @example
 * const r = await loadPlugin('plugins/rate-limiter-v4.ts', { roots: ['plugins'], lineage: limiter.lineage });
 * if (r.ok) await limiter.swap(r.plugin.version.version, { lineage: r.lineage });
 * else console.error(r.refusal.message);
 */
export function loadPlugin(file: string, options: LoadPluginOptions): Promise<LoadPluginResult> {
  return tracePluginLoad(String(file), () => load(file, options)); // `hotswap:plugin:load` (src/diagnostics)
}

async function load(file: string, options: LoadPluginOptions): Promise<LoadPluginResult> {
  const roots = options?.roots;
  if (!Array.isArray(roots) || roots.length === 0 || !roots.every((r) => typeof r === 'string' && r.length > 0)) {
    throw new HotswapError('INVALID_ARGUMENT', `Expected \`roots\` to be a non-empty array of directories, got \`${String(roots)}\``);
  }
  if (typeof file !== 'string' || file.length === 0) {
    throw new HotswapError('INVALID_ARGUMENT', `Expected \`file\` to be a path, got \`${String(file)}\``);
  }
  const located = await locatePluginFile(file, roots);
  if (!located.ok) return refuse(located.refusal);
  const { path, target, content } = located;

  const hash = contentHash(content);
  let ns: unknown;
  try {
    ns = await importPluginFile(target, hash);
  } catch (error) {
    return refuse(pluginRefusal(isSyntaxError(error) ? 'syntax-error' : 'import-threw', { file: path, error: pluginError(error) }));
  }
  const checked = checkPluginExport(ns, { file: path });
  if (!checked.ok) return refuse(checked.refusal);
  const { plugin } = checked;

  const expected = options.lineage?.name ?? options.component;
  if (expected !== undefined && plugin.component !== expected) {
    return refuse(pluginRefusal('wrong-component', { file: path, expected, got: plugin.component }));
  }
  let extended: AnyLineage | undefined;
  if (options.lineage !== undefined) {
    const r = extendLineage(options.lineage, plugin, { file: path });
    if (!r.ok) return refuse(r.refusal);
    extended = r.lineage;
  }
  if (options.startCheck !== false) {
    const problem = startProblem(plugin.version, options.input);
    if (problem !== undefined) {
      return refuse(pluginRefusal('cannot-start', { file: path, version: plugin.version.version, error: pluginError(problem) }));
    }
  }
  return extended === undefined ? { ok: true, file: target, hash, plugin } : { ok: true, file: target, hash, plugin, lineage: extended };
}

/** {@link loadPlugin} for scripts: throws `PLUGIN_REFUSED` (the refusal in `details`) when refused. */
export async function loadPluginOrThrow(file: string, options: LoadPluginOptions): Promise<Extract<LoadPluginResult, { ok: true }>> {
  const r = await loadPlugin(file, options);
  if (!r.ok) throw new HotswapError('PLUGIN_REFUSED', r.refusal.message, { details: { refusal: r.refusal } });
  return r;
}
