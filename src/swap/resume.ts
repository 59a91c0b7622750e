/**
 * The resume step (`SwapPhases[6]`), which opens with the commit point: the new actor takes over
 * (cancelled timers go, adopted promises and transferred leases belong to it, leases under `revoke`
 * are revoked), the held events are delivered to it in order, and the old actor is retired without
 * running old code — all synchronous, so nothing of the old actor runs in between (G1, G4). Input:
 * the installed actor and what drain and quiesce decided; result: how many held events went through
 * and when the pause ended. Pinned by test/swap/held-events.test.ts, test/swap/reentrancy.test.ts
 * and test/swap/policies.test.ts.
 */
import type { AnyActorRef } from 'xstate';
import type { InFlightEntry, LeaseRecord } from '../ledger/effect-ledger.ts';
import type { AnyLineage } from '../lineage/lineage.ts';
import type { AnyVersion } from '../lineage/types.ts';
import type { ComponentCore } from '../live/_internal/core.ts';
import type { EffectSink } from './_internal/parts.ts';

export interface ResumeInput {
  readonly actor: AnyActorRef;
  readonly target: AnyVersion;
  readonly lineage: AnyLineage;
  readonly from: number;
  /** A revert takes the component's last history entry off instead of putting one on. */
  readonly revert: boolean;
  readonly cancelTimers: readonly string[];
  readonly adopt: readonly Readonly<InFlightEntry>[];
  readonly revoke: readonly Readonly<LeaseRecord>[];
  /** Where the revoked leases are recorded. */
  readonly effects: EffectSink;
  /** Called at the commit point: from here on a throw no longer rolls back. */
  readonly onCommit: () => void;
}

export interface ResumeResult {
  /** Held events delivered to the new version. */
  readonly held: number;
  /** `performance.now()` when the last held event was delivered: the pause ends there. */
  readonly resumedAt: number;
}

/** Commits the swap and resumes the component on the new version. */
export function resume(core: ComponentCore, input: ResumeInput): ResumeResult {
  const ledger = core.effects;
  for (const name of input.cancelTimers) ledger.cancelTimer(name);
  const old = core.actor;
  core.attach(input.actor, input.target);
  core.committed(input.from, input.lineage, input.revert);
  input.onCommit();
  ledger.adoptionsCommitted(input.adopt); // the new children own them now, like any promise
  for (const lease of input.revoke) {
    ledger.endLease(lease, 'revoked');
    input.effects.effect('revoked', lease.handle);
  }
  core.emit(input.actor.getSnapshot());
  const held = core.deliverHeld();
  const resumedAt = performance.now();
  // Still synchronous with the commit: nothing of the old actor can run between attach and here.
  core.retire(old);
  return { held, resumedAt };
}
