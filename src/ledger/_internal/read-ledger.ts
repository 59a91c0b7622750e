import type { AnyActorLogic, AnyActorRef } from 'xstate';
import type { ComponentCore } from '../../live/_internal/core.ts';
import type { LedgerDelay, LedgerInFlight, LedgerSnapshot } from '../ledger.ts';
import { delayedTransitions, logicKind, pendingDelays } from './xstate-adapter.ts';

/** Reads a component's effect ledger: delays from XState's scheduler, the rest from the component. */
export function readLedger(core: ComponentCore): LedgerSnapshot {
  const now = core.clock.now();
  const afters = delayedTransitions(core.version.machine);
  const delays: LedgerDelay[] = pendingDelays(core.actor, core.clock).map((d) => ({
    kind: 'delay',
    id: d.id,
    event: d.event,
    state: afters.get(d.event.type)?.statePath,
    delayMs: d.delayMs,
    startedAt: d.startedAt,
    remainingMs: d.remainingMs,
    fromRoot: d.fromRoot && d.selfTargeted,
  }));
  return {
    at: now,
    delays,
    timers: [...core.timers.values()].map((t) => ({
      kind: 'timer',
      name: t.name,
      handler: t.handler,
      payload: t.payload,
      delayMs: t.delayMs,
      dueAt: t.dueAt,
      remainingMs: Math.max(0, t.dueAt - now),
    })),
    inFlight: inFlightChildren(core, now),
    leases: [...core.leases.values()].map((l) => ({
      kind: 'lease',
      id: l.id,
      handle: l.handle,
      holder: l.holder,
      since: l.since,
      heldMs: now - l.since,
      transferable: l.transferable,
    })),
    late: [...core.late],
  };
}

/** Active children of the current actor, with their kind and, for tracked promises, their age. */
export function inFlightChildren(core: ComponentCore, at?: number): LedgerInFlight[] {
  const children = (core.actor.getSnapshot() as { children?: Record<string, AnyActorRef | undefined> }).children ?? {};
  const actors = (core.actor as unknown as { logic: { implementations?: { actors?: Record<string, AnyActorLogic> } } }).logic.implementations?.actors;
  const out: LedgerInFlight[] = [];
  for (const id in children) {
    const child = Object.hasOwn(children, id) ? children[id] : undefined;
    if (child === undefined || child.getSnapshot().status !== 'active') continue;
    const src = (child as unknown as { src: unknown }).src;
    const logic = typeof src === 'string' ? (actors?.[src] ?? (child as unknown as { logic: AnyActorLogic }).logic) : (src as AnyActorLogic);
    const tracked = core.inFlight.get(child);
    const now = tracked === undefined ? 0 : (at ??= core.clock.now());
    out.push({
      kind: 'in-flight',
      id,
      src: typeof src === 'string' ? src : '<inline logic>',
      logic: logicKind(logic),
      startedAt: tracked?.startedAt,
      ageMs: tracked === undefined ? undefined : now - tracked.startedAt,
      persistable: typeof src === 'string',
    });
  }
  return out;
}
