/**
 * The checks of `runtime.start` that come before anything is created: where the state comes from
 * (fresh, a snapshot written by `from`, or an envelope), migrated to the target version through the
 * lineage, then the swap's own verify step (delays carried into the migrated state, timers whose
 * handlers the version must define). Split out of runtime.ts so a rehearsal in a candidate worker
 * (src/worker/_internal/entry.ts, `examine`) runs exactly the checks that worker's install would run,
 * without installing. Pinned by test/runtime/start.test.ts and test/worker/rehearse.test.ts.
 */
import type { Blocker } from '../../blockers/blocker.ts';
import { blocker } from '../../blockers/messages.ts';
import type { ErrorData } from '../../errors.ts';
import { type AnyLineage, pathBetween } from '../../lineage/lineage.ts';
import type { AnyVersion } from '../../lineage/types.ts';
import { migrate } from '../../migrate/migrate.ts';
import type { PersistedTimer } from '../../store/envelope.ts';
import { restoreEnvelope } from '../../store/restore.ts';
import { verify, type VerifyResult } from '../../swap/verify.ts';
import { isPersistedSnapshot, type PersistedSnapshot } from '../../xstate/persisted.ts';

/** Where a start's state comes from (the state fields of `StartOptions`). */
export interface StartSource {
  readonly envelope?: unknown;
  readonly snapshot?: unknown;
  readonly from?: number;
  readonly timers?: readonly PersistedTimer[];
}

/** What may be installed, or why not; `from` is the version the state was written by (as known). */
export type StartCheck =
  | {
      readonly ok: true;
      readonly from: number;
      /** The migrated snapshot; `undefined` for a fresh start. */
      readonly snapshot: PersistedSnapshot | undefined;
      readonly rearm: Extract<VerifyResult, { ok: true }>['rearm'];
      /** The runtime timers to start again. */
      readonly timers: readonly PersistedTimer[];
    }
  | {
      readonly ok: false;
      readonly from: number;
      readonly blockers: readonly Blocker[];
      /** An envelope refused before its migration (its own code: `ENVELOPE_*`, `UNKNOWN_VERSION`, …). */
      readonly error?: ErrorData;
    };

/** Migrates and verifies a start's state for `version`; creates nothing, never throws for a refusal. */
export function checkStart(lineage: AnyLineage, version: AnyVersion, o: StartSource): StartCheck {
  const to = version.version;
  let from = o.from ?? to;
  let snapshot: PersistedSnapshot | undefined;
  let saved: readonly PersistedTimer[] = o.timers ?? [];
  if (o.envelope !== undefined) {
    const r = restoreEnvelope(lineage, o.envelope, { to });
    if (!r.ok) return { ok: false, from, blockers: r.blockers, error: r.error };
    snapshot = r.snapshot;
    from = r.from;
    saved = r.timers;
  } else if (o.snapshot !== undefined) {
    if (!isPersistedSnapshot(o.snapshot)) return { ok: false, from, blockers: [blocker('aborted', { reason: 'snapshot is not a persisted XState snapshot' })] };
    if (o.snapshot.status !== 'active') return { ok: false, from, blockers: [blocker('not-active', { status: o.snapshot.status })] };
    const r = migrate(lineage, o.snapshot, { from, to });
    if (!r.ok) return { ok: false, from, blockers: r.blockers };
    snapshot = r.snapshot;
  }

  const delays = saved.filter((t) => t.kind === 'delay' && t.event !== undefined);
  const timers = saved.filter((t) => t.kind === 'timer');
  const blockers: Blocker[] = [];
  if (snapshot === undefined) {
    // delayed events belong to the state that scheduled them: without that state there is nothing to carry them into
    for (const d of saved.filter((t) => t.kind === 'delay')) {
      blockers.push(blocker('pending-delay', { id: d.id, event: d.event?.type ?? d.id, state: '', remainingMs: d.remainingMs, reason: 'a delayed event needs the snapshot that scheduled it; pass `snapshot` or `envelope`' }));
    }
  }
  const origin = lineage.get(from);
  const carry = snapshot !== undefined && origin !== undefined;
  const checked = verify({
    lineage,
    steps: carry ? (pathBetween(lineage, from, to) ?? []) : [],
    from: origin ?? version,
    to: version,
    migratedValue: snapshot?.value,
    delays: carry ? delays.map((d) => ({ id: d.id, event: d.event!, delayMs: d.delayMs, remainingMs: d.remainingMs })) : undefined,
    delayPolicy: 'carry',
    timers: timers.map((t) => ({ name: t.id, handler: t.handler ?? t.id, delayMs: t.delayMs, remainingMs: t.remainingMs })),
  });
  if (!checked.ok) blockers.unshift(...checked.blockers);
  if (blockers.length > 0 || !checked.ok) return { ok: false, from, blockers };
  return { ok: true, from, snapshot, rearm: checked.rearm, timers };
}
