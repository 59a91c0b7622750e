/**
 * The walk over a live actor's in-flight children at any depth: each active child with its kind,
 * its `src` and, for the root's tracked promises, its age. Shared by the ledger's snapshot and the
 * swap's quiesce and drain steps, so they see the same list. Pinned by
 * test/swap/nested-children.test.ts and test/swap/policies.test.ts.
 */
import type { AnyActorLogic, AnyActorRef } from 'xstate';
import type { Clock } from '../../clock/clock.ts';
import { logicKind } from '../../xstate/adapter.ts';
import type { LedgerInFlight } from '../ledger.ts';

type ActorWithLogic = AnyActorRef & { logic: { implementations?: { actors?: Record<string, AnyActorLogic> } } };

/** Where the root's tracked promises are found (the ledger's map of them). */
type Tracked = ReadonlyMap<unknown, { readonly startedAt: number }>;

/**
 * Visits every active child of `actor` and, inside each child machine, its own children, depth first
 * (a child machine before its work, which a restore would start again). `at` is the time ages are
 * measured at; read from `clock` only when a tracked child needs it.
 */
export function walkInFlight(
  actor: AnyActorRef,
  tracked: Tracked,
  clock: Pick<Clock, 'now'>,
  visit: (entry: LedgerInFlight, actor: AnyActorRef) => void,
  at?: number,
): void {
  const walk = (parent: ActorWithLogic, path: string | undefined): void => {
    const children = (parent.getSnapshot() as { children?: Record<string, AnyActorRef | undefined> }).children ?? {};
    const actors = parent.logic.implementations?.actors;
    for (const id in children) {
      const child = Object.hasOwn(children, id) ? children[id] : undefined;
      if (child === undefined || child.getSnapshot().status !== 'active') continue;
      const src = (child as unknown as { src: unknown }).src;
      const logic = typeof src === 'string' ? (actors?.[src] ?? ((child as ActorWithLogic).logic as AnyActorLogic)) : (src as AnyActorLogic);
      // only the root's own promise actors are tracked (its machine is the one hotswap wraps)
      const entry = path === undefined ? tracked.get(child) : undefined;
      const kind = logicKind(logic);
      const out: { -readonly [K in keyof LedgerInFlight]: LedgerInFlight[K] } = {
        kind: 'in-flight',
        id: path === undefined ? id : `${path}/${id}`,
        src: typeof src === 'string' ? src : '<inline logic>',
        logic: kind,
        startedAt: entry?.startedAt,
        ageMs: entry === undefined ? undefined : (at ??= clock.now()) - entry.startedAt,
        persistable: typeof src === 'string',
      };
      if (path !== undefined) out.parent = path;
      visit(out, child);
      if (kind === 'machine') walk(child as ActorWithLogic, out.id);
    }
  };
  walk(actor as ActorWithLogic, undefined);
}

/** Active children of `actor`, as a list (see {@link walkInFlight}). */
export function inFlightChildren(actor: AnyActorRef, tracked: Tracked, clock: Pick<Clock, 'now'>): LedgerInFlight[] {
  const out: LedgerInFlight[] = [];
  walkInFlight(actor, tracked, clock, (entry) => out.push(entry));
  return out;
}
