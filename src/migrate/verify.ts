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
import { ACTOR_MARKER_KEY, childMayHoldRefs, forEachMarker, isActorRef, isMachineSnapshot, noteActorRefs } from '../xstate/adapter.ts';
import { FROZEN_PLAIN, plainJson } from '../_internal/json.ts';
import { missingFields, referenceShape } from './_internal/shape.ts';
import { findProblems } from './_internal/walk.ts';
import { invokers, isActive, resolvesChild, unknownHistoryIds, type ValueProblem, valueProblems } from './_internal/states.ts';
import type { PersistedSnapshot } from '../xstate/persisted.ts';

/** What {@link verifyState} checks. All on by default. */
export interface VerifyOptions {
  /** The link that produced the state, named in totality blockers. */
  readonly link?: LinkRef;
  /** @defaultValue true */
  readonly totality?: boolean;
  /**
   * The version whose actor holds the snapshot's children (the link's source): a child it invoked must
   * land in a state that invokes it. @defaultValue the version checked
   */
  readonly source?: AnyVersion;
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

/** The result of {@link verifySnapshot}: the state may run, or every blocker found. */
export type VerifyResult = { readonly ok: true } | { readonly ok: false; readonly blockers: readonly Blocker[] };

/**
 * Checks a persisted snapshot against a version, as the `verify` step of a swap does — the checks
 * {@link verifyState} lists — as a result: `{ ok: true }` when the state may run, else
 * `{ ok: false, blockers }` with every blocker found (never empty).
 *
 * @example
 * const r = verifySnapshot(v2, snapshot);
 * if (!r.ok) console.error(formatBlockers(r.blockers));
 */
export function verifySnapshot(version: AnyVersion, snapshot: PersistedSnapshot, options: VerifyOptions = {}): VerifyResult {
  const blockers = verifyState(version, snapshot, options);
  return blockers.length === 0 ? { ok: true } : { ok: false, blockers };
}

/**
 * Checks a persisted snapshot against a version, as the `verify` step of a swap does:
 * totality (the schema, or no `undefined` field), the version's reference shape (no key missing),
 * plain data (what `persist()` can write), states and history that exist, children that resolve,
 * and the version's invariant. Returns every blocker found (empty when the state may run). With a
 * schema, everything after it is checked on the schema's output, which is what a migration installs.
 *
 * @deprecated Use {@link verifySnapshot}, the same checks as a result with `ok` (this bare array is
 * the one fallible member that had no discriminant). Kept so code written against the previous
 * release compiles; it will be removed in a later major release.
 */
export function verifyState(version: AnyVersion, snapshot: PersistedSnapshot, options: VerifyOptions = {}): Blocker[] {
  const checked = checkState(version, snapshot, options);
  const installed = checked.context === snapshot.context ? snapshot : { ...snapshot, context: checked.context };
  checked.blockers.push(...restoreBlockers(version, installed, options.actorRefs !== false).blockers);
  return checked.blockers;
}

/**
 * {@link verifyState} without the actor-ref check (a migration runs that once, on its final state):
 * the blockers, whether what the migration built holds an actor ref's marker, and the context to
 * install — the schema's output when the version has a schema, else the snapshot's own.
 */
export function checkState(
  version: AnyVersion,
  snapshot: PersistedSnapshot,
  options: VerifyOptions = {},
): { blockers: Blocker[]; builtRefs: boolean; context: unknown } {
  const blockers: Blocker[] = [];
  const n = version.version;
  const link = options.link ?? { from: n, to: n };
  const totality = options.totality !== false;
  let builtRefs = false;

  // The schema first: its output is what is installed, so everything after looks at that.
  let context = snapshot.context;
  if (totality && version.schema !== undefined) {
    const validated = validateSchema(version.schema, n, context);
    if ('blockers' in validated) blockers.push(...validated.blockers);
    else context = validated.value;
  }

  // One walk over what the migration built: undefined fields, and markers it may have written.
  const undefinedFields = totality && version.schema === undefined;
  let undefinedPaths: Set<string> | undefined;
  for (const f of findProblems(context, 'context', { undefinedFields, unsafeKeys: false, skip: options.known, markerKey: ACTOR_MARKER_KEY })) {
    if (f.reason === 'marker') builtRefs = true;
    else {
      blockers.push(blocker('undefined-field', { link, path: f.path }));
      (undefinedPaths ??= new Set()).add(f.path);
    }
  }

  // What an envelope can hold, by the envelope's own rules: the state installed is one persist() writes.
  // (one walk: the three sit side by side in the snapshot, one level below the envelope). Frozen
  // subtrees found plain before, by this walk or by migrate's freeze, are stepped over: a state a swap
  // passes through is walked for plain data once, not at every swap.
  const installed = { value: snapshot.value, context, historyValue: snapshot.historyValue ?? {} };
  const plain = plainJson(installed, { copy: false, depth: 1, cache: FROZEN_PLAIN, allow: isActorRef });
  if (!plain.ok) blockers.push(blocker('unpersistable-value', { link, path: plain.problem.path, found: plain.problem.found }));

  // Keys the version's code may read: a `{ ...context }` that forgot one would kill it on the next event.
  const shape = referenceShape(version);
  if (totality && 'root' in shape) {
    for (const path of missingFields(shape.root, context, 'context')) {
      if (undefinedPaths?.has(path) !== true) blockers.push(blocker('missing-field', { link, path, source: shape.source }));
    }
  }

  const problems = valueProblems(version.machine, snapshot.value);
  for (const p of problems) blockers.push(valueBlocker(n, p));
  for (const state of unknownHistoryIds(version.machine, snapshot.historyValue)) {
    blockers.push(blocker('unmapped-state', { version: n, state, where: 'history' }));
  }
  const valid = problems.length === 0;
  const children = snapshot.children ?? {};
  for (const child in children) {
    if (!Object.hasOwn(children, child)) continue;
    const data = children[child];
    if (!resolvesChild(version.machine, data?.src)) {
      blockers.push(blocker('unresolvable-child', { version: n, child, src: String(data?.src) }));
      continue;
    }
    const orphan = valid ? orphaned(version, options.source ?? version, snapshot.value, child, data) : undefined;
    if (orphan !== undefined) blockers.push(orphan);
  }

  // The invariant is only meaningful on a state the machine can hold.
  if (valid && version.invariant !== undefined) {
    blockers.push(...invariantBlockers(version, { value: snapshot.value, context }));
  }
  return { blockers, builtRefs, context };
}

function valueBlocker(version: number, p: ValueProblem): Blocker {
  switch (p.problem) {
    case 'unknown':
      return blocker('unmapped-state', { version, state: p.state, where: 'value' });
    case 'incomplete':
      return blocker('incomplete-state-value', { version, path: p.path, initial: p.initial });
    case 'contradictory':
      return blocker('contradictory-state-value', { version, path: p.path, states: p.states });
    case 'malformed':
      return blocker('malformed-state-value', { version, path: p.path, got: p.got });
  }
}

/**
 * An invoked child may be carried only into an active state that invokes the same `src` under the
 * same id. Restored anywhere else, XState starts it again (a promise re-runs, a callback restarts)
 * with no state to hear it, or routes its output to whatever that state invokes under the id. A
 * settled child is only refused where it would take the place of another `src` (which would then
 * never run); elsewhere it is inert. A child neither version invokes was spawned, and lives on its own.
 */
function orphaned(
  target: AnyVersion,
  source: AnyVersion,
  value: unknown,
  child: string,
  data: { readonly src?: unknown; readonly snapshot?: unknown } | undefined,
): Blocker | undefined {
  const machine = target.machine;
  const into = invokers(machine).get(child) ?? [];
  const from = invokers(source.machine).get(child);
  if (into.length === 0 && from === undefined) return undefined;
  const src = String(data?.src);
  const active = into.filter((i) => isActive(machine, value, i.path));
  if (active.some((i) => i.src === src)) return undefined;
  const clash = active[0];
  const inFlight = (data?.snapshot as { status?: unknown } | undefined)?.status === 'active';
  if (clash === undefined && !inFlight) return undefined;
  // the state it lands in: the one invoking another src under its id, or its old state kept by name, or the value
  const state = clash?.path ?? from?.find((i) => i.path !== '' && isActive(machine, value, i.path))?.path ?? leaves(value);
  const states = into.filter((i) => i.src === src).map((i) => i.path);
  return blocker('orphaned-child', { version: target.version, child, src, state, invokes: clash?.src ?? null, states });
}

/** The leaf states of a (valid) state value, joined with ` + `: `busy`, `a.x + b.y`. */
function leaves(value: unknown, prefix = ''): string {
  if (typeof value === 'string') return prefix + value;
  const entries = Object.entries(value as Record<string, unknown>);
  return entries.map(([k, v]) => (v !== null && typeof v === 'object' && Object.keys(v).length === 0 ? prefix + k : leaves(v, `${prefix}${k}.`))).join(' + ');
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

/** Runs a version's schema over a context: its output, or the issues as blockers. */
function validateSchema(schema: StandardSchemaV1, version: number, context: unknown): { value: unknown } | { blockers: Blocker[] } {
  let result: StandardSchemaV1.Result<unknown> | Promise<StandardSchemaV1.Result<unknown>>;
  try {
    result = schema['~standard'].validate(context);
  } catch (error) {
    return { blockers: [blocker('schema-issue', { version, path: 'context', issue: `schema threw: ${describeError(error).message}` })] };
  }
  if (result instanceof Promise) {
    result.catch(() => undefined);
    return { blockers: [blocker('schema-issue', { version, path: 'context', issue: 'schema validates asynchronously; hotswap needs a synchronous schema' })] };
  }
  if (result.issues === undefined) return { value: result.value };
  return {
    blockers: result.issues.map((issue) =>
      blocker('schema-issue', { version, path: ['context', ...(issue.path ?? []).map(pathKey)].join('.'), issue: issue.message }),
    ),
  };
}

function pathKey(segment: PropertyKey | StandardSchemaV1.PathSegment): string {
  return String(typeof segment === 'object' ? segment.key : segment);
}
