/**
 * The drain step (`SwapPhases[2]`): where the effect policies are decided, in one place, before
 * anything is applied — the transaction applies them only if the swap reaches its commit point.
 * Input: the quiescent core, the policies, the target; result: the blockers, or what to carry,
 * cancel and adopt. Pinned by test/swap/policies.test.ts and test/swap/nested-children.test.ts.
 */
import type { Blocker } from '../blockers/blocker.ts';
import { blocker } from '../blockers/messages.ts';
import { type InFlightEntry, isRootDelay, remainingMs } from '../ledger/effect-ledger.ts';
import { inFlightChildren } from '../ledger/_internal/walk.ts';
import type { PendingDelay } from '../xstate/adapter.ts';
import type { ComponentCore } from '../live/_internal/core.ts';
import type { AnyVersion } from '../lineage/types.ts';
import { promisePolicyFor, type SwapPolicies } from './options.ts';
import { type EffectSink, NONE, toLedgerEntry } from './_internal/parts.ts';

/** What the drain step decided about each pending effect of a quiescent component. */
export interface Drained {
  /** No blocker: every effect can go on under these policies. */
  readonly ok: boolean;
  /** Effects that cannot go on into the new version under these policies. */
  readonly blockers: readonly Blocker[];
  /** The root's own pending delays, for the delay plan. */
  readonly carryable: readonly PendingDelay[];
  /** Runtime timers to cancel at the commit point. */
  readonly cancelTimers: readonly string[];
  /** Promises the new version adopts. */
  readonly adopt: readonly Readonly<InFlightEntry>[];
}

/** `list` with `item` added: a list of one made exactly, not grown from empty (most drains find one delay, or none). */
function add<T>(list: T[] | undefined, item: T): T[] {
  if (list === undefined) return [item];
  list.push(item);
  return list;
}

/**
 * The drain step of docs/design.md §2: applies the policies to every pending delay, runtime timer, promise,
 * callback and transferable lease, recording the outcomes in `effects` (kept only if the swap commits).
 */
export function drain(core: ComponentCore, policies: Required<SwapPolicies>, target: AnyVersion, effects: EffectSink): Drained {
  // each list made on its first entry: a swapAll keeps every part's drain result until its commit
  let blockers: Blocker[] | undefined;
  let carryable: PendingDelay[] | undefined;
  let cancelTimers: string[] | undefined;
  let adopt: Readonly<InFlightEntry>[] | undefined;
  const ledger = core.effects;
  for (const d of ledger.delays(core.actor)) {
    if (policies.delays === 'cancel') effects.effect('cancelled', d.id);
    else if (!isRootDelay(d)) {
      // Only the root's own delays are carried: a child machine is restored from its snapshot, which
      // XState persists without its timers, and a delay sent to another actor has no state to re-arm in.
      const reason = d.selfTargeted
        ? `a delay of child machine '${d.sourceId}' (its own 'after' or delayed raise); a child machine's delays cannot be carried (policy delays: 'cancel' drops it)`
        : `scheduled by '${d.sourceId}' for another actor; it cannot be carried (policy delays: 'cancel' drops it)`;
      blockers = add(blockers, blocker('pending-delay', { id: d.id, event: d.event.type, state: d.sourceState, remainingMs: d.remainingMs, reason }));
    } else carryable = add(carryable, d);
  }
  for (const timer of ledger.timers.values()) {
    if (policies.timers === 'cancel') {
      cancelTimers = add(cancelTimers, timer.name);
      effects.effect('cancelled', timer.name);
    } else if (target.handlers?.[timer.handler] === undefined) {
      const reason = `v${target.version} defines no handler '${timer.handler}'`;
      blockers = add(blockers, blocker('pending-timer', { name: timer.name, handler: timer.handler, remainingMs: remainingMs(timer.dueAt, core.clock.now()), reason }));
    } else effects.effect('carried', timer.name);
  }
  for (const entry of ledger.inFlight.values()) {
    if (entry.settled || entry.owner.getSnapshot().status !== 'active') continue;
    const policy = promisePolicyFor(policies, toLedgerEntry(entry, core.clock.now()));
    if (typeof policy !== 'string') blockers = add(blockers, policy);
    else if (policy === 'adopt') adopt = add(adopt, entry);
    else if (policy === 'abort') effects.effect('aborted', entry.childId);
  }
  for (const child of inFlightChildren(core.actor, ledger.inFlight, core.clock)) {
    if (child.logic === 'callback') effects.effect('restarted', child.id);
    // a child machine's promise is not tracked: it stops with its machine, and the restore starts it afresh
    else if (child.logic === 'promise' && child.parent !== undefined) {
      const policy = promisePolicyFor(policies, child);
      if (typeof policy !== 'string') blockers = add(blockers, policy);
      else if (policy === 'abort') effects.effect('aborted', child.id);
    }
  }
  for (const lease of ledger.leases.values()) if (lease.transferable) effects.effect('transferred', lease.handle);
  return { ok: blockers === undefined, blockers: blockers ?? NONE, carryable: carryable ?? NONE, cancelTimers: cancelTimers ?? NONE, adopt: adopt ?? NONE };
}
