/**
 * The run-time half of the plugin contract: given what a module exports, find the plugin (`default`
 * or `plugin`) and check it. Used by `loadPlugin` and by any host that imports plugin modules itself
 * (a worker, a bundler's output).
 *
 * Pinned by test/plugin/load.test.ts (`describe('the export')`).
 */
import type { AnyPlugin } from './define.ts';
import { contractProblems, PLUGIN_KIND } from './_internal/contract.ts';
import { pluginError, pluginRefusal, type PluginRefusal } from './refusal.ts';

/** Result of {@link checkPluginExport}. */
export type PluginExportCheck =
  | { readonly ok: true; readonly plugin: AnyPlugin }
  | { readonly ok: false; readonly refusal: Extract<PluginRefusal, { code: 'missing-export' | 'malformed-export' | 'import-threw' }> };

const isPluginLike = (v: unknown): boolean => typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === PLUGIN_KIND;

/**
 * Checks a module's exports (its namespace, as `await import(url)` returns it) or a plugin value
 * itself against the contract. Never throws: a getter that throws is an `import-threw` refusal.
 *
 * @example
 * const r = checkPluginExport(await import(url), { file });
 * if (!r.ok) console.error(r.refusal.message);
 */
export function checkPluginExport(value: unknown, options: { readonly file: string }): PluginExportCheck {
  const { file } = options;
  try {
    let candidate: unknown;
    if (isPluginLike(value)) candidate = value;
    else if (typeof value === 'object' && value !== null) {
      const ns = value as { default?: unknown; plugin?: unknown };
      const { default: d, plugin: p } = ns;
      if (d !== undefined && p !== undefined && d !== p) {
        return { ok: false, refusal: pluginRefusal('malformed-export', { file, problems: ['`default` and `plugin` export two different values; export one plugin'] }) };
      }
      candidate = d ?? p;
    }
    if (candidate === undefined) return { ok: false, refusal: pluginRefusal('missing-export', { file }) };
    const problems = contractProblems(candidate);
    if (problems.length > 0) return { ok: false, refusal: pluginRefusal('malformed-export', { file, problems }) };
    return { ok: true, plugin: candidate as AnyPlugin };
  } catch (error) {
    return { ok: false, refusal: pluginRefusal('import-threw', { file, error: pluginError(error) }) };
  }
}
