/**
 * The plugin contract's one definition, shared by `definePlugin` (throws) and `checkPluginExport`
 * (returns a refusal): what a plugin value must look like, listed as problems so a refusal names them all.
 */
import { isVersion } from '../../lineage/version.ts';

/** The `kind` every plugin carries; the suffix is the contract's revision. */
export const PLUGIN_KIND = 'hotswap.plugin/1';

const show = (v: unknown): string => {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'function') return 'a function';
  if (v === null || typeof v !== 'object') return String(v);
  return Array.isArray(v) ? 'an array' : 'an object';
};

/** Everything wrong with `value` as a plugin; empty when it keeps the contract. Never throws on plain data. */
export function contractProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [`expected an object, got ${show(value)}`];
  const p = value as Record<string, unknown>;
  const problems: string[] = [];
  if (p['kind'] !== PLUGIN_KIND) problems.push(`\`kind\` must be '${PLUGIN_KIND}' (build it with \`definePlugin\`), got ${show(p['kind'])}`);
  const component = p['component'];
  if (typeof component !== 'string' || component.length === 0) problems.push(`\`component\` must be a non-empty string, got ${show(component)}`);
  const from = p['from'];
  if (!Number.isSafeInteger(from) || (from as number) < 1) problems.push(`\`from\` must be a positive integer (or a version), got ${show(from)}`);
  const version = p['version'];
  if (!isVersion(version)) problems.push(`\`version\` must come from \`defineVersion\`, got ${show(version)}`);
  else if (Number.isSafeInteger(from) && version.version !== (from as number) + 1) {
    problems.push(`\`version\` must be v${(from as number) + 1} (one after \`from\`), got v${version.version}`);
  }
  const link = p['link'];
  if (typeof link !== 'object' || link === null) problems.push(`\`link\` must be an object \`{ up, down? }\`, got ${show(link)}`);
  else {
    const { up, down } = link as { up?: unknown; down?: unknown };
    if (typeof up !== 'function') problems.push(`\`link.up\` must be a function, got ${show(up)}`);
    if (down !== undefined && typeof down !== 'function') problems.push(`\`link.down\` must be a function or absent, got ${show(down)}`);
  }
  return problems;
}
