/**
 * The naive swap floor: what a swap costs with XState alone and no safety at all —
 * `getPersistedSnapshot()` → the link's migration function, called directly → `createActor(next,
 * { snapshot }).start()` → `old.stop()`. No freeze, no verify, no ledger: pending delays are lost
 * (statelyai/xstate#5331) and events sent meanwhile would be dropped. It is the floor, not a rival.
 */
import { type AnyActorRef, type AnyStateMachine, createActor, type Snapshot } from 'xstate';
import { type JobContextV1, type JobContextV2, jobDown, jobMachines, jobUp } from './machines.ts';

type Persisted = { value: 'waiting' | 'expired'; context: JobContextV1 & JobContextV2 };

interface Scheduled {
  readonly source: AnyActorRef;
  readonly event: { type: string };
  readonly delay: number;
  readonly id: string;
  readonly startedAt: number;
}
interface SystemWithScheduler {
  getSnapshot(): { _scheduledEvents: Record<string, Scheduled> };
  scheduler: { schedule(source: AnyActorRef, target: AnyActorRef, event: { type: string }, delay: number, id: string): void };
}

/**
 * The naive swap plus the one thing it cannot do without: re-arming the pending delays it would
 * otherwise lose, with their remaining time (read from XState's scheduler, as a careful hand-written
 * swap would). Still no freeze, verify, ledger or mailbox. A second, fairer floor for the tiny state.
 */
export function naiveSwapRearm(actor: AnyActorRef, from: 1 | 2): { actor: AnyActorRef; us: number } {
  const t0 = performance.now();
  const system = actor.system as unknown as SystemWithScheduler;
  const pending = Object.values(system.getSnapshot()._scheduledEvents).filter((e) => e.source === actor);
  const persisted = actor.getPersistedSnapshot() as unknown as Persisted;
  const migrated = from === 1 ? jobUp(persisted) : jobDown(persisted);
  const machine: AnyStateMachine = jobMachines[from === 1 ? 2 : 1];
  const snapshot = { ...persisted, value: migrated.value, context: migrated.context } as unknown as Snapshot<unknown>;
  const next = createActor(machine, { snapshot }).start();
  const now = Date.now();
  const nextSystem = next.system as unknown as SystemWithScheduler;
  for (const e of pending) {
    // both versions declare the same `after` in the same state, so the event type carries over as is
    nextSystem.scheduler.schedule(next, next, e.event, Math.max(0, e.startedAt + e.delay - now), e.id);
  }
  actor.stop();
  const us = (performance.now() - t0) * 1000;
  return { actor: next, us };
}

/** Swaps a bare job actor to the other version; returns the new actor and the µs it took. */
export function naiveSwap(actor: AnyActorRef, from: 1 | 2): { actor: AnyActorRef; us: number } {
  const t0 = performance.now();
  const persisted = actor.getPersistedSnapshot() as unknown as Persisted;
  const migrated = from === 1 ? jobUp(persisted) : jobDown(persisted);
  const machine: AnyStateMachine = jobMachines[from === 1 ? 2 : 1];
  const snapshot = { ...persisted, value: migrated.value, context: migrated.context } as unknown as Snapshot<unknown>;
  const next = createActor(machine, { snapshot }).start();
  actor.stop();
  const us = (performance.now() - t0) * 1000;
  return { actor: next, us };
}

/** A bare v1 job actor (no hotswap), with the same payload a live one would get. */
export function startBare(items: readonly unknown[] | undefined): AnyActorRef {
  const machine: AnyStateMachine = jobMachines[1];
  return createActor(machine, { input: items === undefined ? {} : { items } }).start();
}
