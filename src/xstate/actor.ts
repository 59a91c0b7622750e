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
import { instrumentScheduler, isReviveFree } from './adapter.ts';
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
  const logic = trackedMachine(machine);
  const actor = o.snapshot !== undefined && isReviveFree(o.snapshot) ? withoutReviveWalk(logic, () => createActor(logic, options as never)) : createActor(logic, options as never);
  instrumentScheduler(actor, o.clock);
  registerHost(actor.system, o.host(actor));
  return actor;
}

/**
 * Runs `create` (a `createActor` restoring a snapshot whose root context holds no actor marker) with
 * the machine's restore skipping its `reviveContext` walk of that context — a walk over every object
 * of it (60–80 ms for 10 MB) that could only find markers to replace. The machine restores its
 * snapshot with an empty context instead (children, history and state nodes exactly as XState
 * restores them), then gets the real context. The machine's `restoreSnapshot` (an own, bound
 * property in xstate 5) is replaced for the root's restore alone: put back before any child
 * restores, and after `create` whatever happens. A machine whose `restoreSnapshot` cannot be
 * replaced is restored by XState as is. Pinned by test/xstate/revive-free.test.ts against the
 * installed XState.
 */
function withoutReviveWalk(logic: AnyStateMachine, create: () => AnyActorRef): AnyActorRef {
  const own = Object.getOwnPropertyDescriptor(logic, 'restoreSnapshot');
  if (own === undefined ? !Object.isExtensible(logic) : own.configurable !== true || typeof own.value !== 'function') return create();
  const restore = logic.restoreSnapshot;
  const putBack = (): void => {
    if (own === undefined) delete (logic as Partial<AnyStateMachine>).restoreSnapshot;
    else Object.defineProperty(logic, 'restoreSnapshot', own);
  };
  Object.defineProperty(logic, 'restoreSnapshot', {
    configurable: true,
    writable: true,
    value: function (this: AnyStateMachine, snapshot: unknown, scope: unknown) {
      putBack(); // the root's restore only: children restore as XState does
      const s = snapshot as { context?: unknown };
      const restored = (restore as (this: AnyStateMachine, s: unknown, scope: unknown) => { context: unknown }).call(this, { ...s, context: {} }, scope);
      restored.context = s.context;
      return restored;
    },
  });
  try {
    return create();
  } finally {
    putBack();
  }
}
