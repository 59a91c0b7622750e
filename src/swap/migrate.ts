/**
 * The migrate step (`SwapPhases[3]`): takes the old actor's persisted snapshot (frozen: a migration
 * cannot mutate it) and runs each link of the path in order. Input: the core and the planned path;
 * result: the snapshot before and the migrated one, or the blockers with the phase that refused (a
 * link that threw or returned a bad value is `migrate`; a result that fails a check is `verify`).
 * Pinned by test/migrate/ and test/swap/verify.test.ts.
 */
import type { Blocker, LinkRef } from '../blockers/blocker.ts';
import type { AnyLineage, PathStep } from '../lineage/lineage.ts';
import type { ComponentCore } from '../live/_internal/core.ts';
import { migrateAlong } from '../migrate/migrate.ts';
import { copyState } from './_internal/copy.ts';
import { persistState } from '../xstate/adapter.ts';
import type { PersistedSnapshot } from '../xstate/persisted.ts';

const MIGRATION_KINDS = new Set(['migration-threw', 'migration-mutated-input', 'migration-bad-output', 'irreversible']);

export interface MigrateInput {
  readonly lineage: AnyLineage;
  readonly steps: readonly PathStep[];
  readonly path: readonly LinkRef[];
  readonly from: number;
  readonly to: number;
  /**
   * Migrates a copy of the state (src/swap/_internal/copy.ts): a rehearsal's live actor keeps running,
   * and migrate freezes what it reads.
   */
  readonly copy?: boolean;
}

export type MigrateStepResult =
  | { readonly ok: true; readonly before: PersistedSnapshot; readonly migrated: PersistedSnapshot }
  | { readonly ok: false; readonly before: PersistedSnapshot; readonly phase: 'migrate' | 'verify'; readonly blockers: readonly Blocker[] };

/** Migrates the running actor's persisted state along the path. */
export function migrateStep(core: ComponentCore, input: MigrateInput): MigrateStepResult {
  const persisted = persistState(core.actor);
  return migrateSnapshot({ ...input, snapshot: input.copy === true ? copyState(persisted.snapshot) : persisted.snapshot, actorRefs: persisted.actorRefs });
}

/** {@link migrateStep} on a persisted state given (a rehearsal's copy, in a pool worker or not). */
export function migrateSnapshot({ lineage, steps, path, from, to, snapshot, actorRefs }: MigrateInput & { readonly snapshot: PersistedSnapshot; readonly actorRefs?: boolean }): MigrateStepResult {
  const r = migrateAlong(lineage, steps, path, snapshot, from, to, actorRefs);
  if (r.ok) return { ok: true, before: snapshot, migrated: r.snapshot };
  return { ok: false, before: snapshot, phase: r.blockers.some((b) => MIGRATION_KINDS.has(b.kind)) ? 'migrate' : 'verify', blockers: r.blockers };
}
