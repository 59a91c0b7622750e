/**
 * The state half of a rehearsal — migrate, verify, the shadow replay — on a persisted state given (a
 * copy of the live one): pure, with nothing of the live component, so it runs inline or in a pool
 * worker (src/swap/_internal/rehearse-task.ts) alike. The swap's own step functions: `migrateSnapshot`
 * (the body of the swap's migrate step) and `verify`. Pinned by test/swap/rehearse.test.ts and
 * test/swap/rehearse-pool.test.ts.
 */
import type { EventObject } from 'xstate';
import type { Blocker, LinkRef } from '../../blockers/blocker.ts';
import type { AnyLineage, PathStep } from '../../lineage/lineage.ts';
import type { AnyVersion } from '../../lineage/types.ts';
import type { PersistedSnapshot } from '../../xstate/persisted.ts';
import { migrateSnapshot } from '../migrate.ts';
import type { DelayPolicy } from '../options.ts';
import { verify } from '../verify.ts';
import type { DelayCandidate } from './delays.ts';
import { type Projection, replay, type ReplayReport } from './replay.ts';

export interface ExamineInput {
  readonly lineage: AnyLineage;
  readonly steps: readonly PathStep[];
  readonly path: readonly LinkRef[];
  readonly from: AnyVersion;
  readonly to: AnyVersion;
  /** A copy of the live persisted state: migrate freezes it. */
  readonly snapshot: PersistedSnapshot;
  readonly actorRefs?: boolean;
  readonly delays: readonly DelayCandidate[];
  readonly delayPolicy: DelayPolicy;
  /** The shadow record to replay, when asked for. */
  readonly replay?: { readonly checkpoint: PersistedSnapshot; readonly events: readonly EventObject[]; readonly project: Projection } | undefined;
}

export type ExamineResult = {
  readonly timings: { migrate: number; verify?: number; replay?: number };
  readonly replay?: ReplayReport;
} & (
  | { readonly ok: true; readonly carried: readonly string[]; readonly restarted: readonly string[]; readonly cancelled: readonly string[] }
  | { readonly ok: false; readonly phase: 'migrate' | 'verify' | 'replay'; readonly blockers: readonly Blocker[] }
);

const µs = (from: number): number => Math.round((performance.now() - from) * 1000);

export function examine(i: ExamineInput): ExamineResult {
  let t = performance.now();
  const migrated = migrateSnapshot({ lineage: i.lineage, steps: i.steps, path: i.path, from: i.from.version, to: i.to.version, snapshot: i.snapshot, ...(i.actorRefs === undefined ? {} : { actorRefs: i.actorRefs }) });
  const timings: { migrate: number; verify?: number; replay?: number } = { migrate: µs(t) };
  if (!migrated.ok) return { ok: false, phase: migrated.phase, blockers: migrated.blockers, timings };
  t = performance.now();
  const verified = verify({ lineage: i.lineage, steps: i.steps, from: i.from, to: i.to, migratedValue: migrated.migrated.value, delays: i.delays, delayPolicy: i.delayPolicy });
  timings.verify = µs(t);
  if (!verified.ok) return { ok: false, phase: 'verify', blockers: verified.blockers, timings };
  const ok = { ok: true as const, carried: verified.carried, restarted: verified.restarted, cancelled: verified.cancelled, timings };
  if (i.replay === undefined) return ok;
  t = performance.now();
  const r = replay({ lineage: i.lineage, steps: i.steps, path: i.path, from: i.from, to: i.to, ...i.replay });
  timings.replay = µs(t);
  if (r.blockers.length > 0) return { ok: false, phase: 'replay', blockers: r.blockers, timings, replay: r };
  return { ...ok, replay: r };
}
