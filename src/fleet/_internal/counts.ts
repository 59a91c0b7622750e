/**
 * Step counting and gate evidence from plain rows: shared by both stores (PostgreSQL groups in SQL and
 * hands the groups here), so a wave's progress and a gate's evidence mean the same thing in each.
 */
import type { Evidence, StepCounts, StepStatus } from '../types.ts';
import { StepStatuses } from '../types.ts';

/** Zero of every status. */
export function emptyCounts(): Record<StepStatus, number> & { total: number } {
  const c = { total: 0 } as Record<StepStatus, number> & { total: number };
  for (const s of StepStatuses) c[s] = 0;
  return c;
}

/** Counts from (status, n) groups. */
export function countsFrom(groups: Iterable<{ readonly status: StepStatus; readonly n: number }>): StepCounts {
  const c = emptyCounts();
  for (const g of groups) {
    c[g.status] += g.n;
    c.total += g.n;
  }
  return c;
}

/** True when no step is still to be swapped or being swapped. */
export function settled(c: StepCounts): boolean {
  return c.planned === 0 && c.pending === 0 && c.claimed === 0;
}

/** The evidence of one wave from its counts and the refusals' blocker kinds. */
export function evidenceFrom(wave: number, c: StepCounts, blockers: Readonly<Record<string, number>>): Evidence {
  const judged = c.done + c.failed;
  return { wave, attempted: judged + c.unknown, done: c.done, failed: c.failed, unknown: c.unknown, failureRate: judged === 0 ? 0 : c.failed / judged, blockers };
}
