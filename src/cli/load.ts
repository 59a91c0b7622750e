/**
 * Loads the module `hotswap check` was pointed at and finds its lineages and its `hotswapCheck` config.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type CheckConfig, type ComponentEvents, isArbitrary } from '../check/config.ts';
import { HotswapError, describeError } from '../errors.ts';
import { type AnyLineage, isLineage } from '../lineage/lineage.ts';

/** What a lineage module offers `hotswap check`. */
export interface LoadedModule {
  /** The resolved file path. */
  readonly path: string;
  /** Every exported lineage, named exports first (in the module namespace's order), then the default export's. */
  readonly lineages: readonly AnyLineage[];
  /** The `hotswapCheck` export (or the default export's `hotswapCheck`), if any. */
  readonly config: CheckConfig | undefined;
}

/**
 * Imports `specifier` (a file path relative to `cwd`) and collects its lineages.
 * Throws a {@link HotswapError}: `CHECK_MODULE_NOT_FOUND`, `CHECK_MODULE_FAILED` (importing it threw)
 * or `CHECK_NO_LINEAGE`.
 */
export async function loadLineageModule(specifier: string, cwd: string): Promise<LoadedModule> {
  const path = resolve(cwd, specifier);
  if (!existsSync(path)) {
    throw new HotswapError('CHECK_MODULE_NOT_FOUND', `Cannot find module \`${specifier}\` (looked for ${path})`, {
      details: { module: specifier, path },
    });
  }
  let ns: Record<string, unknown>;
  try {
    ns = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    const e = describeError(error);
    // Node cannot import TypeScript by itself (before type stripping): tsx, an optional peer, does it.
    const hint =
      (error as { code?: unknown } | null)?.code === 'ERR_UNKNOWN_FILE_EXTENSION' && /\.[cm]?ts$/u.test(path)
        ? ' (TypeScript modules need the package `tsx`, an optional peer dependency of hotswap: npm install --save-dev tsx)'
        : '';
    throw new HotswapError('CHECK_MODULE_FAILED', `Importing \`${specifier}\` threw ${e.name}: ${e.message}${hint}`, {
      cause: error,
      details: { module: specifier, path },
    });
  }
  // Exports are user code: a Proxy or a getter may throw when merely looked at. Each look is guarded,
  // so such a module is one clear CHECK_MODULE_FAILED line, not a stack trace.
  const inspect = <T>(what: string, look: () => T): T => {
    try {
      return look();
    } catch (error) {
      const e = describeError(error);
      throw new HotswapError('CHECK_MODULE_FAILED', `Reading ${what} of \`${specifier}\` threw ${e.name}: ${e.message}`, {
        cause: error,
        details: { module: specifier, path, export: what },
      });
    }
  };
  const found: AnyLineage[] = [];
  const add = (what: string, read: () => unknown): boolean => {
    const value = inspect(what, read);
    const is = inspect(what, () => isLineage(value));
    if (is && !found.includes(value as AnyLineage)) found.push(value as AnyLineage);
    return is;
  };
  for (const name of Object.keys(ns)) if (name !== 'default') add(`export \`${name}\``, () => ns[name]);
  const fallback = inspect('the default export', () => ns['default']);
  const fallbackIsObject = typeof fallback === 'object' && fallback !== null;
  if (!add('the default export', () => fallback) && fallbackIsObject) {
    for (const key of inspect('the default export', () => Object.keys(fallback))) {
      add(`\`default.${key}\``, () => (fallback as Record<string, unknown>)[key]);
    }
  }
  if (found.length === 0) {
    throw new HotswapError(
      'CHECK_NO_LINEAGE',
      `\`${specifier}\` exports no lineage (expected an export built with \`lineage(...)\`, or a default export object holding one)`,
      { details: { module: specifier, path } },
    );
  }
  const config = inspect('`hotswapCheck`', () => {
    const raw = ns['hotswapCheck'] ?? (fallbackIsObject ? (fallback as { hotswapCheck?: unknown }).hotswapCheck : undefined);
    return typeof raw === 'object' && raw !== null ? plainConfig(raw as CheckConfig) : undefined;
  });
  return { path, lineages: found, config };
}

/**
 * A plain copy of the config's own data (its events by component, per version), read once here where
 * a throwing getter is reported as the module's fault rather than surfacing mid-check.
 */
function plainConfig(config: CheckConfig): CheckConfig {
  const events: Record<string, ComponentEvents> = {};
  const source = config.events;
  if (typeof source === 'object' && source !== null) {
    for (const component of Object.keys(source)) {
      const value: unknown = source[component];
      if (isArbitrary(value) || typeof value !== 'object' || value === null) {
        events[component] = value as ComponentEvents;
        continue;
      }
      const perVersion: Record<number, ComponentEvents> = {};
      for (const key of Object.keys(value)) perVersion[Number(key)] = (value as Record<string, ComponentEvents>)[key] as ComponentEvents;
      events[component] = perVersion as ComponentEvents;
    }
  }
  const maxEvents = config.maxEvents;
  return { ...(source === undefined ? {} : { events }), ...(maxEvents === undefined ? {} : { maxEvents }) };
}
