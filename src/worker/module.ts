/**
 * The module contract of worker-hosted components: what a module loaded into a worker must export so
 * that the worker finds the component's lineage. Checked inside the worker, on plain module
 * namespaces; pinned by test/worker/module.test.ts.
 *
 * A hosted module exports either
 * - a lineage: `export const lineage = …` or `export default lineage(…)`; or
 * - a plugin extending a lineage it re-exports: `export { lineage } from './base.ts'` plus
 *   `export default { kind: 'hotswap.plugin/1', component, from, version, link }` (what a plugin
 *   module's `definePlugin(...)` returns; `{ from, version, link }` alone is accepted too).
 *   The worker hosts `lineage.extend(plugin)`.
 */
import { describeError } from '../errors.ts';
import { type AnyLineage, isLineage } from '../lineage/lineage.ts';

/** The `kind` tag of plugin data a hosted module may default-export. */
export const PLUGIN_KIND = 'hotswap.plugin/1' as const;

/** The result of {@link resolveHostedLineage}. */
export type HostedLineageResult =
  | { readonly ok: true; readonly lineage: AnyLineage; /** The default-exported plugin the lineage was extended with. */ readonly plugin?: { readonly from: number; readonly version: number } }
  | { readonly ok: false; readonly error: HostedModuleError };

/**
 * Why a module breaks the contract, as plain data: `code` is the plugin loader's refusal code
 * (`missing-export`, `wrong-component`, `misfit-version`), so a watcher reports it as such.
 */
export interface HostedModuleError {
  readonly name: 'HostedModuleError';
  readonly code: 'missing-export' | 'wrong-component' | 'misfit-version';
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** A {@link HostedModuleError}. */
export function hostedModuleError(code: HostedModuleError['code'], message: string, details?: Record<string, unknown>): HostedModuleError {
  return { name: 'HostedModuleError', code, message, ...(details === undefined ? {} : { details }) };
}

const refuse = (code: HostedModuleError['code'], message: string, details?: Record<string, unknown>): HostedLineageResult => ({ ok: false, error: hostedModuleError(code, message, details) });

function isPluginData(value: unknown): value is { kind?: unknown; component?: unknown; from: unknown; version: unknown; link: unknown } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v['kind'] === PLUGIN_KIND || ('from' in v && 'version' in v && 'link' in v);
}

/**
 * Finds the lineage of `component` in a loaded module's namespace (see the module comment for the
 * contract). Never throws: a missing export, a lineage of another component or a plugin that does
 * not extend its lineage is a refusal naming what was found.
 *
 * @example
 * const r = resolveHostedLineage(await import(url), 'rate-limiter');
 * if (!r.ok) console.error(r.error.message);
 */
export function resolveHostedLineage(namespace: Readonly<Record<string, unknown>>, component: string): HostedLineageResult {
  const named = namespace['lineage'];
  const fallback = namespace['default'];
  let found: AnyLineage | undefined;
  if (isLineage(named)) found = named;
  else if (isLineage(fallback)) found = fallback;
  if (found === undefined) {
    const exports = Object.keys(namespace).join(', ') || 'none';
    return refuse('missing-export', `Expected the module to export a lineage as \`lineage\` or \`default\`, got exports: ${exports}`);
  }
  if (found.name !== component) {
    return refuse('wrong-component', `Expected a lineage of component \`${component}\`, got \`${found.name}\``, { expected: component, got: found.name });
  }
  if (found !== fallback && isPluginData(fallback)) {
    if (fallback.component !== undefined && fallback.component !== component) {
      return refuse('wrong-component', `Expected a plugin of component \`${component}\`, got \`${String(fallback.component)}\``, { expected: component, got: String(fallback.component) });
    }
    try {
      const extended = found.extend(fallback);
      return { ok: true, lineage: extended, plugin: { from: Number(fallback.from), version: extended.current.version } };
    } catch (error) {
      return refuse('misfit-version', `The default-exported plugin does not extend the exported lineage: ${describeError(error).message}`);
    }
  }
  return { ok: true, lineage: found };
}
