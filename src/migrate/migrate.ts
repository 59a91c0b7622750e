/**
 * `migrate`: walks a lineage's path from one version to another over a frozen persisted snapshot,
 * running each link and verifying each result; refusal is a list of blockers, never a throw. The swap's
 * migrate step and the cold restore both go through `migrateAlong`. Pinned by test/migrate/ and
 * test/property/migrate.property.test.ts.
 */
import type { Snapshot } from 'xstate';
import type { Blocker, LinkRef } from '../blockers/blocker.ts';
import { blocker } from '../blockers/messages.ts';
import { describeError } from '../errors.ts';
import { type AnyLineage, pathBetween, type PathStep } from '../lineage/lineage.ts';
import { deepFreeze, MAX_STATE_DEPTH, TooDeep } from './_internal/freeze.ts';
import { FROZEN_PLAIN } from '../_internal/json.ts';
import type { PersistedSnapshot } from '../xstate/persisted.ts';
import { holdsActorRefs, noteActorRefs } from '../xstate/adapter.ts';
import { checkState, restoreBlockers } from './verify.ts';

/** Where a migration starts and ends. */
export interface MigrateOptions {
  readonly from: number;
  readonly to: number;
}

/** The result of {@link migrate}: the migrated snapshot, or the blockers that refused it. */
export type MigrateResult =
  | {
      readonly ok: true;
      readonly from: number;
      readonly to: number;
      /** The links taken, in order. */
      readonly path: readonly LinkRef[];
      /**
       * The migrated persisted snapshot, its `value` and `context` deeply frozen (what links read and
       * build; the rest is XState's fresh copies, not shared with the live actor).
       */
      readonly snapshot: PersistedSnapshot;
    }
  | {
      readonly ok: false;
      readonly from: number;
      readonly to: number;
      readonly path: readonly LinkRef[];
      /** The link that failed, when the failure was in a link. */
      readonly failedAt?: LinkRef;
      readonly blockers: readonly Blocker[];
    };

/**
 * Walks a lineage's migration path from one version to another, up or down, and verifies every step.
 *
 * For each link: the input (`{ value, context }`) is deeply frozen; the link runs (a throw or a write to the input is a
 * blocker naming the link); the result must be total (schema, or no `undefined` field), have every
 * key of the target's reference shape, be plain data an envelope can hold, name only states the
 * target machine has, and satisfy the target's invariant. With a schema, its output is what the
 * result carries. Never throws on refusal.
 *
 * @example
 * const r = migrate(driver, persisted, { from: 1, to: 3 });
 * if (!r.ok) console.error(formatBlockers(r.blockers));
 */
export function migrate(l: AnyLineage, persisted: PersistedSnapshot | Snapshot<unknown>, { from, to }: MigrateOptions): MigrateResult {
  const steps = pathBetween(l, from, to);
  if (steps === undefined) {
    const known = l.versions.map((v) => v.version);
    const blockers = [from, to]
      .filter((n, i, all) => l.get(n) === undefined && all.indexOf(n) === i)
      .map((version) => blocker('unknown-version', { version, known }));
    return { ok: false, from, to, path: [], blockers };
  }
  return migrateAlong(l, steps, steps.map((s) => ({ from: s.from.version, to: s.to.version })), persisted, from, to);
}

/**
 * {@link migrate} along a path already found (`pathBetween(l, from, to)`, and its links as `path`):
 * the swap coordinator has both from its plan.
 */
export function migrateAlong(
  l: AnyLineage,
  steps: readonly PathStep[],
  path: readonly LinkRef[],
  persisted: PersistedSnapshot | Snapshot<unknown>,
  from: number,
  to: number,
  /** Whether the input's context holds actor refs, when the caller knows (else it is looked for). */
  inputRefs?: boolean,
): MigrateResult {
  // Never throws (G7), whichever entry point asks — swap, migrate, restore, start — and all refuse alike:
  // a state nested too deep to freeze, or a check that throws on what a migration built, is a blocker.
  try {
    return walkPath(l, steps, path, persisted, from, to, inputRefs);
  } catch (error) {
    const e = describeError(error);
    return { ok: false, from, to, path, blockers: [blocker('aborted', { reason: `migrate threw ${e.name}: ${e.message}` })] };
  }
}

function walkPath(
  l: AnyLineage,
  steps: readonly PathStep[],
  path: readonly LinkRef[],
  persisted: PersistedSnapshot | Snapshot<unknown>,
  from: number,
  to: number,
  inputRefs: boolean | undefined,
): MigrateResult {
  if (steps.some((s) => s.run === undefined)) {
    const irreversible = steps.filter((s) => s.run === undefined);
    return {
      ok: false,
      from,
      to,
      path,
      blockers: irreversible.map((s) => blocker('irreversible', { link: { from: s.to.version, to: s.from.version } })),
    };
  }

  // Every object of the input, as it is frozen: the totality check walks only what links build.
  // Links see `value` and `context` only (shared with the live actor: XState's persisted snapshot
  // copies `children` and `historyValue`, not these), so that is what must not be written to.
  const known = new WeakSet<object>();
  let current: PersistedSnapshot;
  try {
    current = freezeState(persisted as PersistedSnapshot, known);
  } catch (error) {
    if (!(error instanceof TooDeep)) throw error;
    return { ok: false, from, to, path, blockers: [blocker('aborted', { reason: `the snapshot to migrate ${error.message} below \`value\` or \`context\`` })] };
  }
  // Actor refs (markers) in the input: known for a live actor's snapshot, looked for otherwise (after
  // the depth check above). Sticky over the chain: a marker from the input may come back after a link
  // in between dropped it.
  let actorRefs = inputRefs ?? holdsActorRefs(persisted as PersistedSnapshot);
  if (steps.length === 0) {
    const checked = checkState(l.get(from)!, current);
    const { blockers } = checked;
    // a schema's output is what is installed; anything it built is new, and frozen like the rest
    if (checked.context !== current.context) current = freezeState({ ...current, context: checked.context }, known);
    const refs = restoreBlockers(l.get(from)!, current, actorRefs);
    blockers.push(...refs.blockers);
    if (blockers.length > 0) return { ok: false, from, to, path, blockers };
    if (refs.holds) noteActorRefs(current); // what `restorable` needs to know, without walking again
    return { ok: true, from, to, path, snapshot: current };
  }

  for (const step of steps) {
    const link = { from: step.from.version, to: step.to.version };
    const input = Object.freeze({ value: current.value, context: current.context });
    let output: unknown;
    try {
      output = step.run!(input);
    } catch (error) {
      const b = isFrozenWriteError(error)
        ? blocker('migration-mutated-input', { link, error: describeError(error).message })
        : blocker('migration-threw', { link, error: describeError(error) });
      return { ok: false, from, to, path, failedAt: link, blockers: [b] };
    }
    if (output instanceof Promise) {
      output.catch(() => undefined);
      return badOutput(from, to, path, link, 'it returned a Promise; migrations must be synchronous');
    }
    if (output === null || typeof output !== 'object' || !('value' in output) || !('context' in output)) {
      return badOutput(from, to, path, link, `expected \`{ value, context }\`, got \`${output === null ? 'null' : typeof output}\``);
    }
    const o = output as { value: unknown; context: unknown; historyValue?: unknown };
    // Verify before freezing: what is still unfrozen here is exactly what the migration built.
    // (a spread, then three writes: V8 builds `{ ...current, value, … }` with overrides ~3× slower)
    const next: { -readonly [K in keyof PersistedSnapshot]: PersistedSnapshot[K] } = { ...current };
    next.value = o.value;
    next.context = o.context;
    next.historyValue = (o.historyValue ?? current.historyValue ?? {}) as PersistedSnapshot['historyValue'];
    const checked = checkState(step.to, next, { link, known, source: step.from });
    if (checked.blockers.length > 0) return { ok: false, from, to, path, failedAt: link, blockers: checked.blockers };
    if (checked.builtRefs) actorRefs = true;
    next.context = checked.context; // the schema's output, when the version has one
    try {
      current = freezeState(next, known);
    } catch (error) {
      if (!(error instanceof TooDeep)) throw error;
      return badOutput(from, to, path, link, `it ${error.message} below \`value\` or \`context\` (persist() could not write it)`);
    }
  }
  // Only the final state is restored: its refs are checked once, root and child machines alike.
  const last = steps[steps.length - 1]!;
  const refs = restoreBlockers(last.to, current, actorRefs);
  if (refs.blockers.length > 0) {
    const link = { from: last.from.version, to: last.to.version };
    return { ok: false, from, to, path, failedAt: link, blockers: refs.blockers };
  }
  if (refs.holds) noteActorRefs(current); // what `restorable` needs to know, without walking again
  return { ok: true, from, to, path, snapshot: current };
}

function badOutput(from: number, to: number, path: readonly LinkRef[], link: LinkRef, reason: string): MigrateResult {
  return { ok: false, from, to, path, failedAt: link, blockers: [blocker('migration-bad-output', { link, reason })] };
}

/**
 * Deeply freezes what links read and build: a snapshot's `value` and `context`, recording what it
 * finds plain data in verify's cache as it goes (the next check steps over it).
 */
function freezeState(snapshot: PersistedSnapshot, known: WeakSet<object>): PersistedSnapshot {
  deepFreeze(snapshot.value, known, MAX_STATE_DEPTH, FROZEN_PLAIN);
  deepFreeze(snapshot.context, known, MAX_STATE_DEPTH, FROZEN_PLAIN);
  return snapshot;
}

/**
 * A write to a frozen object throws a TypeError in strict code (all ESM is strict). V8's messages are
 * the only thing that tells that apart from another TypeError, so this reads them here, in one place.
 */
function isFrozenWriteError(error: unknown): boolean {
  return (
    error instanceof TypeError &&
    /read[- ]only|not extensible|Cannot (?:add|delete|assign|define|redefine)|object is frozen/i.test(error.message)
  );
}
