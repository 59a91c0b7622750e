/**
 * `defineVersion`: one version of a component (number, machine, invariant, schema, swap tag, timer
 * handlers, handles), checked when defined so a bad definition fails at load, not at swap. Pinned by
 * test/lineage/lineage.test.ts.
 */
import type { AnyStateMachine } from 'xstate';
import { HotswapError, shown } from '../errors.ts';
import type { Version, VersionDefinition } from './types.ts';

/**
 * Defines one version of a component: its number, machine, invariant and optional schema.
 *
 * @example
 * const v1 = defineVersion({
 *   version: 1,
 *   machine: counterV1,
 *   invariant: ({ context }) => (context.count >= 0 ? true : [{ path: 'context.count', message: 'negative' }]),
 * });
 */
export function defineVersion<const N extends number, TMachine extends AnyStateMachine>(
  definition: VersionDefinition<TMachine, N>,
): Version<TMachine, N> {
  if (typeof definition !== 'object' || definition === null) {
    throw new HotswapError('INVALID_ARGUMENT', `Expected a version definition \`{ version, machine }\`, got ${shown(definition)}`);
  }
  const { version, machine } = definition;
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new HotswapError(
      'LINEAGE_INVALID_VERSION',
      `Expected \`version\` to be a positive integer, got \`${String(version)}\``,
      { details: { version } },
    );
  }
  if (machine === null || typeof machine !== 'object' || typeof (machine as { resolveState?: unknown }).resolveState !== 'function') {
    throw new HotswapError(
      'LINEAGE_INVALID_VERSION',
      `Expected \`machine\` of v${version} to be an XState v5 machine (from \`setup(...).createMachine(...)\`)`,
      { details: { version } },
    );
  }
  if (definition.schema !== undefined && typeof definition.schema['~standard']?.validate !== 'function') {
    throw new HotswapError(
      'LINEAGE_INVALID_VERSION',
      `Expected \`schema\` of v${version} to implement Standard Schema (\`~standard.validate\`)`,
      { details: { version } },
    );
  }
  if (definition.shape !== undefined) {
    const problem = shapeProblem(definition.shape, 'shape');
    if (problem !== undefined) {
      throw new HotswapError(
        'LINEAGE_INVALID_VERSION',
        `Expected \`${problem.path}\` of v${version} to be \`true\` or an object of required keys, got \`${problem.got}\``,
        { details: { version, path: problem.path } },
      );
    }
  }
  return Object.freeze({ ...definition, kind: 'hotswap.version' as const });
}

/** The first place a declared `shape` is not a tree of plain objects ending in `true`. */
function shapeProblem(shape: unknown, path: string, depth = 0): { path: string; got: string } | undefined {
  const proto: unknown = shape !== null && typeof shape === 'object' ? Object.getPrototypeOf(shape) : undefined;
  if (proto !== Object.prototype && proto !== null) {
    const got = Array.isArray(shape) ? 'an array' : typeof shape === 'object' && shape !== null ? 'an object that is not plain' : typeof shape === 'function' ? 'a function' : String(shape);
    return { path, got };
  }
  if (depth > 64) return { path, got: 'a shape nested more than 64 levels deep' };
  for (const key of Object.keys(shape as object)) {
    const value = (shape as Record<string, unknown>)[key];
    if (value === true) continue;
    const inner = shapeProblem(value, `${path}.${key}`, depth + 1);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/** True when `value` was built by {@link defineVersion}. */
export function isVersion(value: unknown): value is Version {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'hotswap.version';
}
