/**
 * `hotswap check <module> --plugin <file>`: imports one plugin file, checks its export against the
 * plugin contract, and extends the lineage it names (found among the module's lineages) with it, so
 * the check can grade the one link the plugin adds before it is dropped into a running server's
 * plugin directory.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HotswapError, describeError } from '../errors.ts';
import { type AnyLineage, extendResult } from '../lineage/lineage.ts';
import { checkPluginExport } from '../plugin/check.ts';

/** The lineage a plugin file extends, extended with it. */
export interface ExtendedByPlugin {
  /** The resolved plugin file. */
  readonly path: string;
  /** The lineage the plugin names, with the plugin's version appended. */
  readonly lineage: AnyLineage;
  /** The link the plugin adds: `from → from + 1`. */
  readonly from: number;
}

/**
 * Imports `file` (relative to `cwd`) and extends the one of `lineages` its plugin names. Throws a
 * {@link HotswapError}: `CHECK_MODULE_NOT_FOUND`, `CHECK_MODULE_FAILED` (importing threw),
 * `PLUGIN_INVALID` (no plugin export, a malformed one, or a version that does not continue the
 * lineage) or `CHECK_NO_LINEAGE` (the module exports no lineage of that name).
 */
export async function extendWithPlugin(file: string, cwd: string, lineages: readonly AnyLineage[]): Promise<ExtendedByPlugin> {
  const path = resolve(cwd, file);
  if (!existsSync(path)) {
    throw new HotswapError('CHECK_MODULE_NOT_FOUND', `Cannot find plugin \`${file}\` (looked for ${path})`, { details: { module: file, path } });
  }
  let ns: unknown;
  try {
    ns = await import(pathToFileURL(path).href);
  } catch (error) {
    const e = describeError(error);
    throw new HotswapError('CHECK_MODULE_FAILED', `Importing plugin \`${file}\` threw ${e.name}: ${e.message}`, { cause: error, details: { module: file, path } });
  }
  const checked = checkPluginExport(ns, { file });
  if (!checked.ok) throw new HotswapError('PLUGIN_INVALID', checked.refusal.message, { details: { module: file, path } });
  const { plugin } = checked;
  const base = lineages.find((l) => l.name === plugin.component);
  if (base === undefined) {
    throw new HotswapError(
      'CHECK_NO_LINEAGE',
      `Plugin \`${file}\` extends component \`${plugin.component}\`, but the module exports no lineage of that name (exported: ${lineages.map((l) => l.name).join(', ')})`,
      { details: { module: file, component: plugin.component } },
    );
  }
  const extended = extendResult(base, plugin);
  if (!extended.ok) {
    throw new HotswapError('PLUGIN_INVALID', `Plugin \`${file}\` does not continue ${base.name}@${base.current.version}: ${extended.error.message}`, {
      details: { module: file, component: plugin.component, current: base.current.version, from: plugin.from },
    });
  }
  return { path, lineage: extended.lineage, from: plugin.from };
}
