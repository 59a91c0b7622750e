/** Running a migration for a predicate and turning a refusal into a readable failure. */
import { formatBlockers } from '../../blockers/messages.ts';
import type { AnyLineage } from '../../lineage/lineage.ts';
import { migrate } from '../../migrate/migrate.ts';
import type { PersistedSnapshot } from '../../xstate/persisted.ts';
import { type SwapPropertyCode, SwapPropertyError } from '../failure.ts';
import type { Reachable } from '../reachable.ts';
import { describeReachable, indent } from './describe.ts';

/** What the failing migration was for, e.g. `the up leg of the round trip`. */
export interface MigrationContext {
  readonly code: SwapPropertyCode;
  readonly headline: string;
  readonly reachable: Reachable;
  /** Version the reachable state belongs to. */
  readonly version: number;
}

/** Migrates `snapshot` from → to, or throws a {@link SwapPropertyError} naming the state and the blockers. */
export function migrateOrFail(l: AnyLineage, snapshot: PersistedSnapshot, from: number, to: number, ctx: MigrationContext): PersistedSnapshot {
  const result = migrate(l, snapshot, { from, to });
  if (result.ok) return result.snapshot;
  const where = result.failedAt === undefined ? '' : ` at link v${result.failedAt.from} → v${result.failedAt.to}`;
  const message = [
    `${ctx.headline}: migration v${from} → v${to} refused${where}`,
    ...describeReachable(ctx.reachable, ctx.version),
    indent(formatBlockers(result.blockers, { component: l.name, from, to, action: 'migrate' })),
  ].join('\n');
  throw new SwapPropertyError(ctx.code, message, { blockers: result.blockers });
}
