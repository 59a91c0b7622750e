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
  return Object.freeze({ ...definition, kind: 'hotswap.version' as const });
}

/** True when `value` was built by {@link defineVersion}. */
export function isVersion(value: unknown): value is Version {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'hotswap.version';
}
