/**
 * The old worker's half of a drained replacement: quiesce (wait, up to the deadline, for what the
 * policies wait for), drain (decide each pending effect under the policies) and hand the state over
 * as an envelope — the snapshot with its pending delays and timers and their remaining time. Nothing
 * is changed here: on a refusal the old worker goes on exactly as it was (G2); the candidate's
 * install does migrate, verify and re-arm (cold restore, src/store/restore.ts).
 *
 * What cannot cross an isolate is a blocker, never a fallback: a promise adopted by the new version
 * would have to settle in the old worker, which is terminated at commit. Pinned by
 * test/worker/swap.test.ts.
 */
import type { Blocker } from '../../blockers/blocker.ts';
import { blocker } from '../../blockers/messages.ts';
import { pendingDelays } from '../../xstate/adapter.ts';
import { coreOf, type LiveComponent } from '../../runtime/component.ts';
import { createEnvelope, type Envelope, type PersistedTimer } from '../../store/envelope.ts';
import { resolvePolicies } from '../../swap/options.ts';
import type { EffectOutcomes } from '../../swap/report.ts';
import { findBlocking } from '../../swap/_internal/quiescence.ts';
import type { PlainPolicies } from './protocol.ts';

export type HandoverResult =
  | { readonly ok: true; readonly envelope: Envelope; readonly effects: EffectOutcomes }
  | { readonly ok: false; readonly blockers: readonly Blocker[] };

/**
 * What would have to cross into the candidate worker: in-flight promises under `adopt` (their
 * settlement), and leases of transferable handles (the holder's lease would have to move to another
 * isolate's resource; an in-worker swap transfers them).
 */
function crossIsolate(component: LiveComponent<any>, policies: Required<PlainPolicies>): Blocker[] {
  const ledger = component.ledger();
  const promises =
    policies.promises !== 'adopt'
      ? []
      : ledger.inFlight
          .filter((c) => c.logic === 'promise')
          .map((c) =>
            blocker('cross-isolate', {
              what: `invoked promise '${c.id}' (src ${c.src}) under policy 'adopt'`,
              reason: 'it lives in the old worker, which is terminated at commit; use promises: "wait" or "abort"',
            }),
          );
  const transferable = [...coreOf(component).effects.leases.values()]
    .filter((l) => l.transferable)
    .map((l) =>
      blocker('cross-isolate', {
        what: `the lease of transferable handle '${l.handle}' held by '${l.holder}'`,
        reason: 'a drained replacement cannot move a lease into the new worker; release it first (a swap to a version of the running module transfers it)',
      }),
    );
  return [...promises, ...transferable];
}

/**
 * Quiesce's look, at once: what refuses now (`hard`: what cannot cross an isolate when anything
 * cannot, else quiesce's own hard blockers) and what the handover would wait for (`soft`). The
 * handover loops on it; a rehearsal (entry.ts `look`) looks once.
 */
export function look(component: LiveComponent<any>, policies: Required<PlainPolicies>): ReturnType<typeof findBlocking> {
  const found = findBlocking(coreOf(component), policies, coreOf(component).version);
  const cross = crossIsolate(component, policies);
  return cross.length > 0 ? { ...found, hard: cross, soft: [] } : found;
}

/** Quiesces, drains and persists the component; changes nothing (the caller pauses its clock after). */
export async function handover(component: LiveComponent<any>, plain: PlainPolicies, deadlineMs: number): Promise<HandoverResult> {
  const core = coreOf(component);
  const policies = resolvePolicies(plain) as Required<PlainPolicies>;
  const startedAt = core.clock.now();
  const deadlineAt = startedAt + deadlineMs;

  // ── quiesce ──
  for (;;) {
    const { hard, soft, watch } = look(component, policies);
    if (hard.length > 0) return { ok: false, blockers: [...hard, ...soft] };
    if (soft.length === 0) break;
    // `revoke`: outstanding leases end with the old worker at commit (the main thread revokes them)
    if (policies.leases === 'revoke' && soft.every((b) => b.kind === 'lease-outstanding')) break;
    const why = await core.waitForChange(deadlineAt, undefined, watch);
    if (why !== 'changed') {
      const still = findBlocking(core, policies, core.version);
      return { ok: false, blockers: [blocker('quiesce-timeout', { waitedMs: core.clock.now() - startedAt }), ...still.hard, ...still.soft] };
    }
  }
  return drainToEnvelope(component, policies);
}

/**
 * Drain: decides each pending effect under the policies and persists the state with the timers that
 * cross. Changes nothing; a rehearsal calls it on a running worker (the envelope is a copy).
 */
export function drainToEnvelope(component: LiveComponent<any>, policies: Required<PlainPolicies>): HandoverResult {
  const core = coreOf(component);
  // ── drain ──
  const effects = { carried: [] as string[], restarted: [] as string[], cancelled: [] as string[], adopted: [], aborted: [] as string[], transferred: [], revoked: [...core.effects.leases.values()].map((l) => l.handle) };
  const blockers: Blocker[] = [];
  for (const d of pendingDelays(core.actor, core.clock)) {
    if (policies.delays !== 'cancel' && !(d.fromRoot && d.selfTargeted)) {
      blockers.push(
        blocker('pending-delay', { id: d.id, event: d.event.type, state: '', remainingMs: d.remainingMs, reason: `scheduled by '${d.sourceId}' for another actor; it cannot be carried` }),
      );
    }
  }
  if (blockers.length > 0) return { ok: false, blockers };
  const persisted = component.persist();
  const timers: PersistedTimer[] = [];
  for (const t of persisted.timers) {
    if ((t.kind === 'delay' ? policies.delays : policies.timers) === 'cancel') effects.cancelled.push(t.id);
    else if (t.kind === 'delay' && policies.delays === 'restart') {
      effects.restarted.push(t.id);
      timers.push({ ...t, remainingMs: t.delayMs });
    } else {
      effects.carried.push(t.id);
      timers.push(t);
    }
  }
  // what the restore will invoke afresh in the candidate: the old ones end with the old worker
  for (const c of component.ledger().inFlight) {
    if (c.logic === 'callback') effects.restarted.push(c.id);
    else if (c.logic === 'promise') effects.aborted.push(c.id);
  }
  const changed = timers.length !== persisted.timers.length || (policies.delays === 'restart' && persisted.timers.some((t) => t.kind === 'delay'));
  const envelope = !changed
    ? persisted
    : createEnvelope({ component: persisted.component, version: persisted.version, snapshot: persisted.snapshot, timers });
  return { ok: true, envelope, effects };
}
