/**
 * The plugin contract: one module carries one version of one component and its link from the version
 * before it. `definePlugin` builds the value such a module exports (as `default` or as `plugin`), typed
 * against the previous version so the compiler checks the migration; `checkPluginExport` checks the
 * same contract at run time, for plugins written in JavaScript or built elsewhere.
 *
 * Pinned by test/plugin/load.test.ts (contract refusals) and test/types/plugin.test-d.ts (types).
 */
import { HotswapError } from '../errors.ts';
import type { AnyVersion, Link } from '../lineage/types.ts';
import { contractProblems, PLUGIN_KIND } from './_internal/contract.ts';

export { PLUGIN_KIND };

/**
 * A version delivered by a plugin module: `version` (number `from + 1`) of `component`, and the link
 * that migrates `from` to it (`link.down`, when present, migrates back). Plain data and functions, so
 * it can be loaded with `await import(url)` in any thread. It is a `VersionPlugin`: `lineage.extend`
 * and `lineage.tryExtend` take it as it is.
 */
export interface Plugin<TName extends string = string, TFrom extends AnyVersion = AnyVersion, TTo extends AnyVersion = AnyVersion> {
  /** The contract's name and revision; a loader refuses any other. */
  readonly kind: typeof PLUGIN_KIND;
  /** The component (lineage name) this version belongs to, e.g. `rate-limiter`. */
  readonly component: TName;
  /** The version this plugin migrates from: `version.version - 1`. */
  readonly from: number;
  /** The new version, from `defineVersion`. */
  readonly version: TTo;
  /** The migration from `from` (and back, with `down`). */
  readonly link: Link<TFrom, TTo>;
}

/** Any plugin. */
export type AnyPlugin = Plugin<string, any, any>;

/** The previous version as `definePlugin` takes it: the version itself (typed links), or its number. */
type FromOf<T> = T extends AnyVersion ? T : AnyVersion;

/** What you pass to {@link definePlugin}. */
export interface PluginDefinition<TName extends string, TFrom extends AnyVersion | number, TTo extends AnyVersion> {
  /** The component's name: the lineage's `name`. */
  readonly component: TName;
  /**
   * The version this plugin migrates from. Pass the version object (imported from the component's
   * module) and `link.up` is typed by its state; pass its number and the link is untyped.
   */
  readonly from: TFrom;
  /** The new version: number `from + 1`. */
  readonly version: TTo;
  /** The migration from `from` to `version`; `down` makes it reversible. */
  readonly link: Link<FromOf<TFrom>, TTo>;
}

/**
 * Defines the value a plugin module exports. Checked now (throws `PLUGIN_INVALID`, so a broken module
 * fails at import and the loader reports it) and again by the loader.
 *
 * @example
 * // plugins/rate-limiter-v4.ts
 * import { definePlugin } from 'hotswap/plugin';
 * import { limiterV3 } from '../components/rate-limiter.ts';
 * export default definePlugin({
 *   component: 'rate-limiter',
 *   from: limiterV3,
 *   version: v4,
 *   link: { up: ({ value, context }) => ({ value, context: { ...context, vip: [] } }) },
 * });
 */
export function definePlugin<const TName extends string, TFrom extends AnyVersion | number, TTo extends AnyVersion>(
  definition: PluginDefinition<TName, TFrom, TTo>,
): Plugin<TName, FromOf<TFrom>, TTo> {
  const d = definition as PluginDefinition<TName, TFrom, TTo> | null | undefined;
  const from = typeof d?.from === 'object' && d.from !== null ? (d.from as AnyVersion).version : d?.from;
  const plugin = Object.freeze({ kind: PLUGIN_KIND, component: d?.component, from, version: d?.version, link: d?.link });
  const problems = contractProblems(plugin);
  if (problems.length > 0) {
    throw new HotswapError('PLUGIN_INVALID', `Expected a plugin definition \`{ component, from, version, link }\`: ${problems.join('; ')}`, {
      details: { problems },
    });
  }
  return plugin as unknown as Plugin<TName, FromOf<TFrom>, TTo>;
}
