/**
 * Reads a live component's effect ledger as plain data: pending delays from XState's scheduler
 * (through the adapter), runtime timers, in-flight children at any depth, leases and late results.
 * Shared by `component.ledger()` and the swap's quiesce and drain steps, so they see the same list.
 * Pinned by test/swap/nested-children.test.ts, test/live/timers.test.ts and test/live/borrow.test.ts.
 */
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
  const out: LedgerInFlight[] = [];
  walkInFlight(core, at, (entry) => out.push(entry));
  return out;
}

type ActorWithLogic = AnyActorRef & { logic: { implementations?: { actors?: Record<string, AnyActorLogic> } } };

/**
 * Visits every active child of the current actor and, inside each child machine, its own children,
 * depth first (a child machine before its work, which a restore would start again).
 */
export function walkInFlight(core: ComponentCore, at: number | undefined, visit: (entry: LedgerInFlight, actor: AnyActorRef) => void): void {
  const walk = (parent: ActorWithLogic, path: string | undefined): void => {
    const children = (parent.getSnapshot() as { children?: Record<string, AnyActorRef | undefined> }).children ?? {};
    const actors = parent.logic.implementations?.actors;
    for (const id in children) {
      const child = Object.hasOwn(children, id) ? children[id] : undefined;
      if (child === undefined || child.getSnapshot().status !== 'active') continue;
      const src = (child as unknown as { src: unknown }).src;
      const logic = typeof src === 'string' ? (actors?.[src] ?? ((child as ActorWithLogic).logic as AnyActorLogic)) : (src as AnyActorLogic);
      // only the root's own promise actors are tracked (its machine is the one hotswap wraps)
      const tracked = path === undefined ? core.inFlight.get(child) : undefined;
      const now = tracked === undefined ? 0 : (at ??= core.clock.now());
      const kind = logicKind(logic);
      const entry: { -readonly [K in keyof LedgerInFlight]: LedgerInFlight[K] } = {
        kind: 'in-flight',
        id: path === undefined ? id : `${path}/${id}`,
        src: typeof src === 'string' ? src : '<inline logic>',
        logic: kind,
        startedAt: tracked?.startedAt,
        ageMs: tracked === undefined ? undefined : now - tracked.startedAt,
        persistable: typeof src === 'string',
      };
      if (path !== undefined) entry.parent = path;
      visit(entry, child);
      if (kind === 'machine') walk(child as ActorWithLogic, entry.id);
    }
  };
  walk(core.actor as ActorWithLogic, undefined);
}
