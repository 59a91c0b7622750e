/**
 * What keeps a component from being quiescent now: the quiesce step's one question, split into what
 * waiting cannot clear (refuse at once) and what it may (wait, up to the deadline). Pinned by
 * test/swap/policies.test.ts (swap points, leases, promises) and test/swap/nested-children.test.ts.
 */
import type { Blocker } from '../../blockers/blocker.ts';
import { blocker } from '../../blockers/messages.ts';
import type { AnyActorRef } from 'xstate';
import { remainingMs } from '../../ledger/effect-ledger.ts';
import { walkInFlight } from '../../ledger/_internal/walk.ts';
import type { ComponentCore } from '../../live/_internal/core.ts';
import type { AnyVersion } from '../../lineage/types.ts';
import { promisePolicyFor, type SwapPolicies } from '../options.ts';

/**
 * What keeps the component from being quiescent right now.
 * `hard` blockers cannot clear by waiting (refuse at once); `soft` ones may clear before the deadline.
 * `watch`: promise actors of child machines waited for — their settling may change nothing the root
 * sees, so a wait listens to them directly.
 */
export function findBlocking(
  core: ComponentCore,
  policies: Required<SwapPolicies>,
  _target: AnyVersion,
): { hard: Blocker[]; soft: Blocker[]; watch: AnyActorRef[] } {
  const hard: Blocker[] = [];
  const soft: Blocker[] = [];
  const watch: AnyActorRef[] = [];
  // read only when something here reports an age (a clock read is a good part of a tiny swap's check)
  const ledger = core.effects;
  const now = ledger.leases.size > 0 || ledger.timers.size > 0 ? core.clock.now() : undefined;
  const snapshot = core.actor.getSnapshot() as { status: string; value: unknown; hasTag(tag: string): boolean };

  if (snapshot.status !== 'active') hard.push(blocker('not-active', { status: snapshot.status }));

  const tag = core.version.swapTag;
  if (tag !== undefined && snapshot.status === 'active' && !snapshot.hasTag(tag)) {
    soft.push(blocker('not-at-swap-point', { state: JSON.stringify(snapshot.value), requiredTag: tag }));
  }

  walkInFlight(core.actor, ledger.inFlight, core.clock, (child, actor) => {
    if (!child.persistable) {
      hard.push(blocker('unpersistable-child', { child: child.id, reason: 'spawned from inline logic; give it a string `src` from setup({ actors })' }));
      return;
    }
    if (child.logic === 'callback' && policies.callbacks === 'block') {
      hard.push(blocker('in-flight', { id: child.id, src: child.src, ageMs: child.ageMs ?? 0, policy: 'block' }));
      return;
    }
    if (child.logic !== 'promise') return;
    const policy = promisePolicyFor(policies, child);
    if (typeof policy !== 'string') {
      hard.push(policy);
      return;
    }
    const age = child.ageMs ?? 0;
    if (policy === 'wait') {
      soft.push(blocker('in-flight', { id: child.id, src: child.src, ageMs: age, policy }));
      if (child.parent !== undefined) watch.push(actor);
    } else if (policy === 'adopt' && child.startedAt === undefined) {
      const why =
        child.parent === undefined
          ? 'not tracked: only promise actors named in setup({ actors }) can be adopted'
          : `a promise of child machine '${child.parent}': only the root machine's promise actors can be adopted`;
      hard.push(blocker('in-flight', { id: child.id, src: child.src, ageMs: age, policy: `adopt (${why})` }));
    }
  }, now);

  for (const lease of ledger.leases.values()) {
    if (lease.transferable) continue;
    const b = blocker('lease-outstanding', { handle: lease.handle, holder: lease.holder, heldMs: now! - lease.since, policy: policies.leases });
    (policies.leases === 'block' ? hard : soft).push(b);
  }

  if (policies.delays === 'block') {
    for (const d of ledger.delays(core.actor)) {
      hard.push(blocker('pending-delay', { id: d.id, event: d.event.type, state: d.sourceState, remainingMs: d.remainingMs, reason: 'policy is block' }));
    }
  }
  if (policies.timers === 'block') {
    for (const t of ledger.timers.values()) {
      hard.push(blocker('pending-timer', { name: t.name, handler: t.handler, remainingMs: remainingMs(t.dueAt, now!), reason: 'policy is block' }));
    }
  }
  return { hard, soft, watch };
}
