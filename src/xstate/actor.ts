/**
 * Creating a hosted actor: the one place hotswap calls XState's `createActor`, for a fresh start and
 * for a restore from a persisted snapshot alike — with the version's promise actors tracked, the
 * scheduler instrumented (so pending delays can be read and re-armed) and the component's effect
 * host registered on the actor system. XState v6 moves restore to `restoreActor` (`xstate/persist`)
 * and timers into the snapshot: that port changes this file and the adapter, not the live core.
 * Pinned by test/xstate/adapter.test.ts and every swap test.
 */
import { type AnyActorRef, type AnyStateMachine, createActor, type InspectionEvent } from 'xstate';
import type { Clock } from '../clock/clock.ts';
import { instrumentScheduler } from './adapter.ts';
import { type EffectHost, registerHost } from './host-registry.ts';
import type { PersistedSnapshot } from './persisted.ts';
import { trackedMachine } from './tracked-machine.ts';

export interface HostedActorOptions {
  readonly clock: Clock;
  readonly inspect: ((event: InspectionEvent) => void) | undefined;
  /** A persisted snapshot to restore from; absent for a fresh start. */
  readonly snapshot: PersistedSnapshot | undefined;
  /** Machine input for a fresh start. */
  readonly input: unknown;
  /** The effect host of the new actor (given the actor, before it starts). */
  readonly host: (actor: AnyActorRef) => EffectHost;
}

/** Creates (not starts) an actor of `machine`, instrumented and linked to its host. */
export function createHostedActor(machine: AnyStateMachine, o: HostedActorOptions): AnyActorRef {
  const options: { clock: Clock; inspect?: (event: InspectionEvent) => void; snapshot?: unknown; input?: unknown } = { clock: o.clock };
  if (o.inspect !== undefined) options.inspect = o.inspect;
  if (o.snapshot !== undefined) options.snapshot = o.snapshot;
  if (o.input !== undefined) options.input = o.input;
  const actor = createActor(trackedMachine(machine), options as never);
  instrumentScheduler(actor, o.clock);
  registerHost(actor.system, o.host(actor));
  return actor;
}
