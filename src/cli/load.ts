/**
 * Loads the module `hotswap check` was pointed at and finds its lineages and its `hotswapCheck` config.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CheckConfig } from '../check/config.ts';
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
    throw new HotswapError('CHECK_MODULE_FAILED', `Importing \`${specifier}\` threw ${e.name}: ${e.message}`, {
      cause: error,
      details: { module: specifier, path },
    });
  }
  const found: AnyLineage[] = [];
  const add = (value: unknown): void => {
    if (isLineage(value) && !found.includes(value)) found.push(value);
  };
  for (const [name, value] of Object.entries(ns)) if (name !== 'default') add(value);
  const fallback = ns['default'];
  add(fallback);
  if (typeof fallback === 'object' && fallback !== null && !isLineage(fallback)) {
    for (const value of Object.values(fallback)) add(value);
  }
  if (found.length === 0) {
    throw new HotswapError(
      'CHECK_NO_LINEAGE',
      `\`${specifier}\` exports no lineage (expected an export built with \`lineage(...)\`, or a default export object holding one)`,
      { details: { module: specifier, path } },
    );
  }
  const config = ns['hotswapCheck'] ?? (fallback as { hotswapCheck?: unknown } | undefined)?.hotswapCheck;
  return { path, lineages: found, config: typeof config === 'object' && config !== null ? (config as CheckConfig) : undefined };
}
