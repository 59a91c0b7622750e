/**
 * "Can this machine start?", answered without side effects: an actor of the version's machine is
 * created and not started. XState computes the initial state then (context factory, initial states,
 * `assign`s) but defers every other action and starts no invoked or spawned actor until `start()`,
 * so no timer, promise or user action runs. A context factory that throws, an initial state that does
 * not resolve, or any other error in that step is what it catches; what only the migrated state
 * shows is verify's and install's job at swap time.
 */
import { createActor } from 'xstate';
import type { AnyVersion } from '../../lineage/types.ts';

/** `undefined` when the machine's initial state can be computed, else the error. */
export function startProblem(version: AnyVersion, input: unknown): unknown {
  try {
    const actor = createActor(version.machine, input === undefined ? {} : { input });
    const snapshot = actor.getSnapshot() as { status?: string; error?: unknown };
    if (snapshot.status === 'error') return snapshot.error ?? new Error("initial snapshot has status 'error'");
    return undefined;
  } catch (error) {
    return error;
  }
}
