/**
 * The verify step (`SwapPhases[4]`) beyond the state checks migrate already ran: the pending delays
 * carried into the migrated state (from the new definition, through the links' renames), the runtime
 * timers the new version must handle, and the held events it must accept — each failure a blocker
 * (G5). The swap and `runtime.start` from a snapshot or envelope both run it. Input: the migrated
 * state value, the candidates, the target; result: what to re-arm, or the blockers. Pinned by
 * test/swap/delays.test.ts, test/swap/delay-plans.test.ts, test/swap/held-events.test.ts and
 * test/runtime/start.test.ts.
 */
import type { EventObject } from 'xstate';
import type { Blocker } from '../blockers/blocker.ts';
import { blocker } from '../blockers/messages.ts';
import { isTimerDelay, MAX_TIMER_MS } from '../clock/clock.ts';
import type { AnyLineage, PathStep } from '../lineage/lineage.ts';
import type { AnyVersion } from '../lineage/types.ts';
import { type DelayCandidate, type DelayPlan, planDelays, type Rearm } from './_internal/delays.ts';
import { unacceptedHeld } from './_internal/parts.ts';
import type { DelayPolicy } from './options.ts';

/** A runtime timer to carry: it needs a handler of that name in the target. */
export interface TimerCandidate {
  readonly name: string;
  readonly handler: string;
  readonly delayMs: number;
  readonly remainingMs: number;
}

export interface VerifyInput {
  readonly lineage: AnyLineage;
  readonly steps: readonly PathStep[];
  readonly from: AnyVersion;
  readonly to: AnyVersion;
  readonly migratedValue: unknown;
  /**
   * The root's pending delays to carry into the migrated state; absent when there is no migrated
   * state (a fresh start), so no delay plan is made at all.
   */
  readonly delays: readonly DelayCandidate[] | undefined;
  readonly delayPolicy: DelayPolicy;
  /** Runtime timers restored from an envelope (a live swap's timers are decided in drain). */
  readonly timers?: readonly TimerCandidate[];
  /** Events held during the swap, which the target must accept. */
  readonly held?: readonly EventObject[];
}

export type VerifyResult =
  | {
      readonly ok: true;
      readonly rearm: readonly Rearm[];
      readonly carried: readonly string[];
      readonly restarted: readonly string[];
      readonly cancelled: readonly string[];
    }
  | { readonly ok: false; readonly blockers: readonly Blocker[] };

const NO_PLAN: DelayPlan = { rearm: [], carried: [], restarted: [], cancelled: [], blockers: [] };

/** Verifies what the new version is handed besides its state: delays, timers, held events. */
export function verify(input: VerifyInput): VerifyResult {
  const { to, timers, held } = input;
  let blockers: Blocker[] | undefined;
  if (timers !== undefined) {
    blockers = [];
    for (const t of timers) {
      if (!isTimerDelay(t.remainingMs) || !isTimerDelay(t.delayMs)) {
        // checked before anything starts: the same rule `startTimer` enforces after
        blockers.push(blocker('pending-timer', { name: t.name, handler: t.handler, remainingMs: t.remainingMs, reason: `its delay and remaining time must be from 0 to ${MAX_TIMER_MS} ms` }));
      } else if (to.handlers?.[t.handler] === undefined) {
        blockers.push(blocker('pending-timer', { name: t.name, handler: t.handler, remainingMs: t.remainingMs, reason: `v${to.version} defines no handler '${t.handler}'` }));
      }
    }
  }
  const plan =
    input.delays === undefined
      ? NO_PLAN
      : planDelays(input.delays, { lineage: input.lineage, steps: input.steps, from: input.from, to, migratedValue: input.migratedValue, policy: input.delayPolicy });
  // nothing allocated on the common path: no timers to check, no blocker, no held event
  if (plan.blockers.length > 0) (blockers ??= []).push(...plan.blockers);
  if (held !== undefined && held.length > 0) {
    const unaccepted = unacceptedHeld(held, to);
    if (unaccepted.length > 0) (blockers ??= []).push(...unaccepted);
  }
  if (blockers !== undefined && blockers.length > 0) return { ok: false, blockers };
  return { ok: true, rearm: plan.rearm, carried: plan.carried, restarted: plan.restarted, cancelled: plan.cancelled };
}
