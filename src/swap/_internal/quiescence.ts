import type { Blocker } from '../../blockers/blocker.ts';
import { blocker } from '../../blockers/messages.ts';
import { inFlightChildren } from '../../ledger/_internal/read-ledger.ts';
import { pendingDelays } from '../../ledger/_internal/xstate-adapter.ts';
import type { ComponentCore } from '../../live/_internal/core.ts';
import type { AnyVersion } from '../../lineage/types.ts';
import type { SwapPolicies } from '../options.ts';

/**
 * What keeps the component from being quiescent right now.
 * `hard` blockers cannot clear by waiting (refuse at once); `soft` ones may clear before the deadline.
 */
export function findBlocking(
  core: ComponentCore,
  policies: Required<SwapPolicies>,
  _target: AnyVersion,
): { hard: Blocker[]; soft: Blocker[] } {
  const hard: Blocker[] = [];
  const soft: Blocker[] = [];
  // read only when something here reports an age (a clock read is a good part of a tiny swap's check)
  const now = core.leases.size > 0 || core.timers.size > 0 ? core.clock.now() : undefined;
  const snapshot = core.actor.getSnapshot() as { status: string; value: unknown; hasTag(tag: string): boolean };

  if (snapshot.status !== 'active') hard.push(blocker('not-active', { status: snapshot.status }));

  const tag = core.version.swapTag;
  if (tag !== undefined && snapshot.status === 'active' && !snapshot.hasTag(tag)) {
    soft.push(blocker('not-at-swap-point', { state: JSON.stringify(snapshot.value), requiredTag: tag }));
  }

  for (const child of inFlightChildren(core, now)) {
    if (!child.persistable) {
      hard.push(blocker('unpersistable-child', { child: child.id, reason: 'spawned from inline logic; give it a string `src` from setup({ actors })' }));
      continue;
    }
    if (child.logic === 'callback' && policies.callbacks === 'block') {
      hard.push(blocker('in-flight', { id: child.id, src: child.src, ageMs: child.ageMs ?? 0, policy: 'block' }));
      continue;
    }
    if (child.logic !== 'promise') continue;
    const policy = typeof policies.promises === 'function' ? policies.promises(child) : policies.promises;
    const age = child.ageMs ?? 0;
    if (policy === 'wait') soft.push(blocker('in-flight', { id: child.id, src: child.src, ageMs: age, policy }));
    else if (policy === 'adopt' && child.startedAt === undefined) {
      hard.push(blocker('in-flight', { id: child.id, src: child.src, ageMs: age, policy: 'adopt (not tracked: only promise actors named in setup({ actors }) can be adopted)' }));
    }
  }

  for (const lease of core.leases.values()) {
    if (lease.transferable) continue;
    const b = blocker('lease-outstanding', { handle: lease.handle, holder: lease.holder, heldMs: now! - lease.since, policy: policies.leases });
    (policies.leases === 'block' ? hard : soft).push(b);
  }

  if (policies.delays === 'block') {
    for (const d of pendingDelays(core.actor, core.clock)) {
      hard.push(blocker('pending-delay', { id: d.id, event: d.event.type, state: '', remainingMs: d.remainingMs, reason: 'policy is block' }));
    }
  }
  if (policies.timers === 'block') {
    for (const t of core.timers.values()) {
      hard.push(blocker('pending-timer', { name: t.name, handler: t.handler, remainingMs: Math.max(0, t.dueAt - now!), reason: 'policy is block' }));
    }
  }
  return { hard, soft };
}
