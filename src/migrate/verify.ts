import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Blocker, LinkRef } from '../blockers/blocker.ts';
import { blocker } from '../blockers/messages.ts';
import { describeError } from '../errors.ts';
import type { AnyVersion } from '../lineage/types.ts';
import { ACTOR_MARKER_KEY, actorMarkers } from '../ledger/_internal/xstate-adapter.ts';
import { findProblems } from './_internal/walk.ts';
import { invokers, isActive, resolvesChild, unknownHistoryIds, unknownStates } from './_internal/states.ts';
import type { PersistedSnapshot } from './persisted.ts';

/** What {@link verifyState} checks. All on by default. */
export interface VerifyOptions {
  /** The link that produced the state, named in totality blockers. */
  readonly link?: LinkRef;
  /** @defaultValue true */
  readonly totality?: boolean;
  /**
   * Check totality only in what a migration built: objects in this set (the migration's input,
   * recorded as it was frozen) are not re-walked. `migrate` sets it; a direct call checks everything.
   */
  readonly known?: WeakSet<object>;
  /**
   * Whether the input may hold actor refs (markers). `false` skips the walk for them unless what the
   * migration built holds one; `migrate` knows it from the input. @defaultValue true
   */
  readonly actorRefs?: boolean;
}

/**
 * Checks a persisted snapshot against a version, as the `verify` step of a swap does:
 * totality (schema, or no `undefined` field), states and history that exist, children that resolve,
 * and the version's invariant. Returns every blocker found (empty when the state may run).
 */
export function verifyState(version: AnyVersion, snapshot: PersistedSnapshot, options: VerifyOptions = {}): Blocker[] {
  return checkState(version, snapshot, options).blockers;
}

/** {@link verifyState}, and whether the state's context holds actor refs (known only when it was walked for them). */
export function checkState(version: AnyVersion, snapshot: PersistedSnapshot, options: VerifyOptions = {}): { blockers: Blocker[]; actorRefs: boolean } {
  const blockers: Blocker[] = [];
  const n = version.version;
  const link = options.link ?? { from: n, to: n };
  let refs = options.actorRefs !== false;

  // One walk over what the migration built: undefined fields, and markers it may have written.
  const undefinedFields = options.totality !== false && version.schema === undefined;
  if (undefinedFields || !refs) {
    for (const f of findProblems(snapshot.context, 'context', { undefinedFields, unsafeKeys: false, skip: options.known, markerKey: ACTOR_MARKER_KEY })) {
      if (f.reason === 'marker') refs = true;
      else blockers.push(blocker('undefined-field', { link, path: f.path }));
    }
  }
  if (options.totality !== false && version.schema !== undefined) blockers.push(...schemaBlockers(version.schema, n, snapshot.context));

  const missing = unknownStates(version.machine, snapshot.value);
  for (const state of missing) blockers.push(blocker('unmapped-state', { version: n, state, where: 'value' }));
  for (const state of unknownHistoryIds(version.machine, snapshot.historyValue)) {
    blockers.push(blocker('unmapped-state', { version: n, state, where: 'history' }));
  }
  const children = snapshot.children ?? {};
  for (const child in children) {
    if (!Object.hasOwn(children, child)) continue;
    const data = children[child];
    if (!resolvesChild(version.machine, data?.src)) {
      blockers.push(blocker('unresolvable-child', { version: n, child, src: String(data?.src) }));
      continue;
    }
    // An invoked child lives only while a state that invokes it is active; restored elsewhere it would
    // run with nobody listening. (A child no state invokes was spawned, and lives on its own.)
    const states = invokers(version.machine).get(child);
    const status = (data?.snapshot as { status?: unknown } | undefined)?.status;
    if (missing.length === 0 && states !== undefined && status === 'active' && !states.some((p) => isActive(version.machine, snapshot.value, p))) {
      blockers.push(blocker('orphaned-child', { version: n, child, states }));
    }
  }

  // XState revives each actor ref from the child with the marker's id; any other ref comes back undefined.
  let holds = false;
  if (refs) {
    for (const m of actorMarkers(snapshot.context)) {
      holds = true;
      if (!Object.hasOwn(children, m.id)) blockers.push(blocker('unrestorable-ref', { version: n, path: m.path, id: m.id }));
    }
  }

  // The invariant is only meaningful on a state the machine can hold.
  if (missing.length === 0 && version.invariant !== undefined) {
    blockers.push(...invariantBlockers(version, snapshot));
  }
  return { blockers, actorRefs: holds };
}

/** Runs a version's invariant over `{ value, context }`; a throwing invariant is a violation too. */
export function invariantBlockers(version: AnyVersion, state: { value: unknown; context: unknown }): Blocker[] {
  if (version.invariant === undefined) return [];
  let result: unknown;
  try {
    result = version.invariant({ value: state.value, context: state.context } as never);
  } catch (error) {
    const e = describeError(error);
    return [blocker('invariant-violation', { version: version.version, path: '', violation: `invariant threw ${e.name}: ${e.message}` })];
  }
  if (result === true) return [];
  if (!Array.isArray(result)) {
    return [
      blocker('invariant-violation', {
        version: version.version,
        path: '',
        violation: `invariant returned \`${String(result)}\`; expected \`true\` or a list of violations`,
      }),
    ];
  }
  return result.map((v: { path?: unknown; message?: unknown }) =>
    blocker('invariant-violation', { version: version.version, path: String(v?.path ?? ''), violation: String(v?.message ?? v) }),
  );
}

function schemaBlockers(schema: StandardSchemaV1, version: number, context: unknown): Blocker[] {
  let result: StandardSchemaV1.Result<unknown> | Promise<StandardSchemaV1.Result<unknown>>;
  try {
    result = schema['~standard'].validate(context);
  } catch (error) {
    return [blocker('schema-issue', { version, path: 'context', issue: `schema threw: ${describeError(error).message}` })];
  }
  if (result instanceof Promise) {
    result.catch(() => undefined);
    return [blocker('schema-issue', { version, path: 'context', issue: 'schema validates asynchronously; hotswap needs a synchronous schema' })];
  }
  if (result.issues === undefined) return [];
  return result.issues.map((issue) =>
    blocker('schema-issue', { version, path: ['context', ...(issue.path ?? []).map(pathKey)].join('.'), issue: issue.message }),
  );
}

function pathKey(segment: PropertyKey | StandardSchemaV1.PathSegment): string {
  return String(typeof segment === 'object' ? segment.key : segment);
}
