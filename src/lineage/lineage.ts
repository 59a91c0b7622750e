/**
 * Lineages: the ordered versions of one component and the links between neighbours, immutable,
 * extended at run time with `extend` (throws) / `tryExtend` (a result), and `pathBetween` for the steps from one version to
 * another (up or down). Pinned by test/lineage/lineage.test.ts, test/lineage/extend.test.ts and the
 * type tests in test/types/lineage.test-d.ts.
 */
import { describeError, type ErrorData, HotswapError } from '../errors.ts';
import type { AnyLink, AnyVersion, LastVersion, Link } from './types.ts';
import { isVersion } from './version.ts';

/**
 * The ordered versions of one named component and the migrations between neighbours.
 *
 * Immutable: {@link Lineage.next} and {@link Lineage.extend} return a new lineage.
 */
export interface Lineage<TName extends string = string, TVersions extends readonly AnyVersion[] = readonly AnyVersion[]> {
  readonly kind: 'hotswap.lineage';
  /** The component's name, e.g. `driver`. */
  readonly name: TName;
  /** Versions in order, oldest first; numbers are consecutive. */
  readonly versions: TVersions;
  /** `links[i]` migrates `versions[i]` to `versions[i + 1]`. */
  readonly links: readonly AnyLink[];
  /** The newest version. */
  readonly current: LastVersion<TVersions>;
  /** The version with number `n`, if the lineage has it. */
  get(n: number): AnyVersion | undefined;
  /** The link whose `up` leads from `n` to `n + 1`, if any. */
  linkFrom(n: number): AnyLink | undefined;
  /**
   * Appends the next version with its migration from the current one. The link's types flow from the
   * versions: a missing link or a migration returning the wrong shape is a compile error.
   */
  next<V extends AnyVersion>(version: V, link: Link<LastVersion<TVersions>, V>): Lineage<TName, readonly [...TVersions, V]>;
  /**
   * Appends a version that arrived at run time (a plugin module). Checks it like {@link Lineage.next}
   * but from untyped input; throws a {@link HotswapError} (`LINEAGE_*`) when it does not fit.
   * {@link Lineage.tryExtend} is the result form.
   */
  extend(plugin: unknown): Lineage<TName, readonly AnyVersion[]>;
  /**
   * {@link Lineage.extend} as a result: `{ ok: true, lineage }`, or `{ ok: false, error }` with the
   * same coded error `extend` would throw (`LINEAGE_*`, `INVALID_ARGUMENT`). Never throws.
   *
   * @example
   * const r = driver.tryExtend(plugin);
   * if (!r.ok) console.error(r.error.code, r.error.message); // the old lineage keeps serving
   */
  tryExtend(plugin: unknown): ExtendResult<TName>;
}

/** The result of {@link Lineage.tryExtend}. */
export type ExtendResult<TName extends string = string> =
  | { readonly ok: true; readonly lineage: Lineage<TName, readonly AnyVersion[]> }
  | { readonly ok: false; readonly error: ErrorData };

/** Any lineage. */
export type AnyLineage = Lineage<string, readonly AnyVersion[]>;

/** A version delivered at run time: version `from + 1` and its link from `from`. */
export interface VersionPlugin {
  readonly from: number;
  readonly version: AnyVersion;
  readonly link: AnyLink;
}

function build<TName extends string, TVersions extends readonly AnyVersion[]>(
  name: TName,
  versions: TVersions,
  links: readonly AnyLink[],
): Lineage<TName, TVersions> {
  const byNumber = new Map<number, AnyVersion>(versions.map((v) => [v.version, v]));
  const self: Lineage<TName, TVersions> = {
    kind: 'hotswap.lineage',
    name,
    versions,
    links,
    current: versions[versions.length - 1] as LastVersion<TVersions>,
    get: (n) => byNumber.get(n),
    linkFrom: (n) => {
      const first = versions[0]?.version ?? 0;
      return links[n - first];
    },
    next: (version, link) => {
      const current = self.current as AnyVersion;
      append(name, current.version, version, link);
      return build(name, [...versions, version] as const, [...links, link]);
    },
    extend: (plugin) => {
      const p = readPlugin(name, self.current as AnyVersion, plugin);
      return build(name, [...versions, p.version] as readonly AnyVersion[], [...links, p.link]);
    },
    tryExtend: (plugin) => extendResult(self, plugin),
  };
  return Object.freeze(self);
}

function append(name: string, from: number, version: unknown, link: unknown): void {
  if (!isVersion(version)) {
    throw new HotswapError('LINEAGE_INVALID_VERSION', `Expected a version from \`defineVersion\` after ${name}@${from}`, {
      details: { component: name, from },
    });
  }
  if (version.version !== from + 1) {
    throw new HotswapError(
      'LINEAGE_VERSION_ORDER',
      `Expected ${name}@${from + 1} after ${name}@${from}, got ${name}@${version.version}`,
      { details: { component: name, expected: from + 1, got: version.version } },
    );
  }
  const up = (link as { up?: unknown } | null | undefined)?.up;
  if (typeof up !== 'function') {
    throw new HotswapError(
      'LINEAGE_MISSING_LINK',
      `Expected a migration link with an \`up\` function from ${name}@${from} to ${name}@${version.version}`,
      { details: { component: name, from, to: version.version } },
    );
  }
  const down = (link as { down?: unknown }).down;
  if (down !== undefined && typeof down !== 'function') {
    throw new HotswapError(
      'LINEAGE_MISSING_LINK',
      `Expected \`down\` of ${name}@${from} → ${name}@${version.version} to be a function or absent`,
      { details: { component: name, from, to: version.version } },
    );
  }
}

/** {@link checkPlugin}, with the plugin's own code that throws while it is read (a getter, a Proxy trap) as misuse. */
function readPlugin(name: string, current: AnyVersion, plugin: unknown): VersionPlugin {
  try {
    return checkPlugin(name, current, plugin);
  } catch (error) {
    if (error instanceof HotswapError) throw error;
    const e = describeError(error);
    throw new HotswapError('INVALID_ARGUMENT', `Expected a plugin \`{ from, version, link }\` for ${name} that can be read, but reading it threw ${e.name}: ${e.message}`, { cause: error });
  }
}

function checkPlugin(name: string, current: AnyVersion, plugin: unknown): VersionPlugin {
  if (typeof plugin !== 'object' || plugin === null) {
    throw new HotswapError('INVALID_ARGUMENT', `Expected a plugin \`{ from, version, link }\` for ${name}, got \`${String(plugin)}\``);
  }
  const { from, version, link } = plugin as Partial<VersionPlugin>;
  if (from !== current.version) {
    throw new HotswapError(
      'LINEAGE_VERSION_ORDER',
      `Plugin migrates from ${name}@${String(from)}, but the lineage's current version is ${name}@${current.version}`,
      { details: { component: name, from, current: current.version } },
    );
  }
  append(name, current.version, version, link);
  return plugin as VersionPlugin;
}

/**
 * Starts a lineage with its first version. Add the others with `.next(version, link)`.
 *
 * @example
 * const driver = lineage('driver', v1)
 *   .next(v2, { up: ({ value, context }) => ({ value, context: { ...context, retries: 0 } }),
 *              down: ({ value, context: { retries: _, ...context } }) => ({ value, context }) })
 *   .next(v3, { up: (s) => … });
 */
export function lineage<const TName extends string, V extends AnyVersion>(name: TName, first: V): Lineage<TName, readonly [V]> {
  if (typeof name !== 'string' || name.length === 0) {
    throw new HotswapError('INVALID_ARGUMENT', `Expected \`name\` to be a non-empty string, got \`${String(name)}\``);
  }
  if (!isVersion(first)) {
    throw new HotswapError('LINEAGE_INVALID_VERSION', `Expected the first version of ${name} to come from \`defineVersion\``);
  }
  return build(name, [first] as const, []);
}

/**
 * Result form of {@link Lineage.extend} as a free function: never throws.
 *
 * @deprecated Use the method, `base.tryExtend(plugin)` — the same result. Kept so code written
 * against the previous release compiles; it will be removed in a later major release.
 */
export function tryExtend<TName extends string>(base: Lineage<TName, readonly AnyVersion[]>, plugin: unknown): ExtendResult<TName> {
  return extendResult(base, plugin);
}

/**
 * What {@link Lineage.tryExtend} and the deprecated free `tryExtend` run: `base.extend(plugin)` as a
 * result. A `base` whose `extend` throws something uncoded (not a lineage from `lineage(...)`) is
 * an `INVALID_ARGUMENT` result too. Internal (the plugin loaders use it); not exported from the package.
 */
export function extendResult<TName extends string>(base: Lineage<TName, readonly AnyVersion[]>, plugin: unknown): ExtendResult<TName> {
  try {
    return { ok: true, lineage: base.extend(plugin) };
  } catch (error) {
    if (error instanceof HotswapError) return { ok: false, error: error.toJSON() };
    // not from `extend` itself (which codes a plugin that throws while read): still data, never a throw
    const e = describeError(error);
    return { ok: false, error: { code: 'INVALID_ARGUMENT', message: `Expected \`base\` to be a lineage whose \`extend\` works, but it threw ${e.name}: ${e.message}` } };
  }
}

/** True when `value` is a lineage built by {@link lineage}. */
export function isLineage(value: unknown): value is AnyLineage {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'hotswap.lineage';
}

/**
 * The steps from `from` to `to`: each a version pair and the function that migrates between them.
 * Up steps use `up`; down steps use `down` (a missing `down` is an `irreversible` step).
 */
export interface PathStep {
  readonly from: AnyVersion;
  readonly to: AnyVersion;
  readonly direction: 'up' | 'down';
  readonly run: ((state: any) => any) | undefined;
}

/** The path of links between two versions, or `undefined` when either is not in the lineage. */
export function pathBetween(l: AnyLineage, from: number, to: number): PathStep[] | undefined {
  if (l.get(from) === undefined || l.get(to) === undefined) return undefined;
  const steps: PathStep[] = [];
  if (from <= to) {
    for (let n = from; n < to; n++) {
      steps.push({ from: l.get(n)!, to: l.get(n + 1)!, direction: 'up', run: l.linkFrom(n)?.up });
    }
  } else {
    for (let n = from; n > to; n--) {
      steps.push({ from: l.get(n)!, to: l.get(n - 1)!, direction: 'down', run: l.linkFrom(n - 1)?.down });
    }
  }
  return steps;
}
