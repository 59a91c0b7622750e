/**
 * `verifyState` and the checks behind it: totality (schema or no undefined field), states, history,
 * children, the invariant, and what XState's restore would lose silently (actor refs, grandchildren).
 * The swap's verify step, the cold restore and `runtime.start` use the same checks (G3, G5). Pinned by
 * test/migrate/blockers.test.ts and test/swap/unrestorable-refs.test.ts.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Blocker, LinkRef } from '../blockers/blocker.ts';
import { blocker } from '../blockers/messages.ts';
import { describeError } from '../errors.ts';
import type { AnyVersion } from '../lineage/types.ts';
import type { AnyStateMachine } from 'xstate';
import { ACTOR_MARKER_KEY, childMayHoldRefs, forEachMarker, isMachineSnapshot, noteActorRefs } from '../ledger/_internal/xstate-adapter.ts';
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
   * Whether the root's context may hold actor refs (markers): `false` skips the walk for them there
   * (child machines' contexts are always checked). @defaultValue true
   */
  readonly actorRefs?: boolean;
}

/**
 * Checks a persisted snapshot against a version, as the `verify` step of a swap does:
 * totality (schema, or no `undefined` field), states and history that exist, children that resolve,
 * and the version's invariant. Returns every blocker found (empty when the state may run).
 */
export function verifyState(version: AnyVersion, snapshot: PersistedSnapshot, options: VerifyOptions = {}): Blocker[] {
  const blockers = checkState(version, snapshot, options).blockers;
  blockers.push(...restoreBlockers(version, snapshot, options.actorRefs !== false).blockers);
  return blockers;
}

/**
 * {@link verifyState} without the actor-ref check (a migration runs that once, on its final state), and
 * whether what the migration built holds an actor ref's marker.
 */
export function checkState(version: AnyVersion, snapshot: PersistedSnapshot, options: VerifyOptions = {}): { blockers: Blocker[]; builtRefs: boolean } {
  const blockers: Blocker[] = [];
  const n = version.version;
  const link = options.link ?? { from: n, to: n };
  let builtRefs = false;

  // One walk over what the migration built: undefined fields, and markers it may have written.
  const undefinedFields = options.totality !== false && version.schema === undefined;
  for (const f of findProblems(snapshot.context, 'context', { undefinedFields, unsafeKeys: false, skip: options.known, markerKey: ACTOR_MARKER_KEY })) {
    if (f.reason === 'marker') builtRefs = true;
    else blockers.push(blocker('undefined-field', { link, path: f.path }));
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

  // The invariant is only meaningful on a state the machine can hold.
  if (missing.length === 0 && version.invariant !== undefined) {
    blockers.push(...invariantBlockers(version, snapshot));
  }
  return { blockers, builtRefs };
}

/** At most this many `unrestorable-ref` blockers are reported (every ref is checked). */
const REF_BLOCKERS_MAX = 50;

/**
 * What XState's restore would lose without a word. It revives each actor ref in a context from the
 * child with the marker's id, in the root's context and in every child machine's; any other ref (a
 * peer, `self`, a stopped child, a child's parent) comes back `undefined`. And it skips a child
 * machine's own child whose src the child's new logic lacks. Walks the root's context when `root` (it
 * may hold markers) and every child machine's, every marker checked; `holds`: whether the root's
 * context holds any.
 */
export function restoreBlockers(version: AnyVersion, snapshot: PersistedSnapshot, root: boolean): { blockers: Blocker[]; holds: boolean } {
  const blockers: Blocker[] = [];
  let holds = false;
  // `machine`: the logic the target gives this state (a child's is resolved from its parent's), when known
  const check = (state: PersistedSnapshot, at: string, path: string, own: boolean, machine: AnyStateMachine | undefined): void => {
    const children = state.children ?? {};
    let marked = false;
    if (own) {
      forEachMarker(state.context, `${at}context`, (where, id) => {
        marked = true;
        if (!Object.hasOwn(children, id) && blockers.length < REF_BLOCKERS_MAX) blockers.push(blocker('unrestorable-ref', { version: version.version, path: where, id }));
      });
    }
    if (at === '') holds = marked;
    else if (marked) noteActorRefs(state); // what `restorable` thaws, without walking this child again
    for (const id in children) {
      const data = children[id];
      // a child machine's own children: XState skips, silently, one whose src the child's new logic lacks
      if (at !== '' && machine !== undefined && !resolvesChild(machine, data?.src)) {
        blockers.push(blocker('unresolvable-child', { version: version.version, child: `${path}${id}`, src: String(data?.src) }));
        continue;
      }
      const inner = data?.snapshot;
      if (isMachineSnapshot(inner)) check(inner, `${at}children.${id}.`, `${path}${id}/`, childMayHoldRefs(inner), childMachine(machine, data?.src));
    }
  };
  check(snapshot, '', '', root, version.machine);
  return { blockers, holds };
}

/** The machine logic `src` names in `machine`'s `setup({ actors })`, when it is one. */
function childMachine(machine: AnyStateMachine | undefined, src: unknown): AnyStateMachine | undefined {
  const logic = typeof src === 'string' ? (machine?.implementations.actors as Record<string, unknown> | undefined)?.[src] : src;
  return logic !== null && typeof logic === 'object' && 'root' in logic && 'implementations' in logic ? (logic as AnyStateMachine) : undefined;
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
