/**
 * Wraps a version's named `fromPromise` actors so each in-flight promise goes through the live
 * component (src, age, abort signal): what lets a swap wait for, abort or adopt it instead of XState's
 * restore starting it again. Pinned by test/swap/policies.test.ts (`describe('in-flight promises')`)
 * and test/swap/xstate-pitfalls.test.ts.
 */
import { type AnyActorLogic, type AnyStateMachine, fromPromise } from 'xstate';
import { hostOf, type PromiseArgs } from './host-registry.ts';
import { logicKind, promiseCreatorOf } from './adapter.ts';

const cache = new WeakMap<AnyStateMachine, AnyStateMachine>();

/**
 * The machine a live component actually runs: the version's machine with every `fromPromise` actor
 * it names in `setup({ actors })` wrapped, so the ledger sees each in-flight promise (src, age) and
 * a swap can wait for it, abort it, or adopt it into the new version without starting it again.
 * Cached per machine: wrapping costs one `provide()`, paid once per version.
 */
export function trackedMachine(machine: AnyStateMachine): AnyStateMachine {
  const hit = cache.get(machine);
  if (hit !== undefined) return hit;
  const wrapped: Record<string, AnyActorLogic> = {};
  for (const [src, logic] of Object.entries(machine.implementations.actors as Record<string, AnyActorLogic>)) {
    if (logicKind(logic) !== 'promise') continue;
    const creator = promiseCreatorOf(logic);
    wrapped[src] = fromPromise((args) => {
      const host = hostOf(args.system);
      return host === undefined
        ? creator(args)
        : (host.runPromise(src, args as unknown as PromiseArgs, creator as (a: PromiseArgs) => PromiseLike<unknown>) as Promise<unknown>);
    });
  }
  const result = Object.keys(wrapped).length === 0 ? machine : machine.provide({ actors: wrapped } as never);
  cache.set(machine, result);
  return result;
}
