/**
 * Tracking of in-flight promise actors: the ledger's view of them (src, age), and the hand-over of a
 * promise from an old child to a new one when a swap adopts it.
 */
import type { ComponentCore } from './core.ts';
import type { PromiseArgs } from './host.ts';
import { bounded } from './records.ts';

export interface InFlightEntry {
  readonly childId: string;
  readonly src: string;
  readonly startedAt: number;
  readonly promise: Promise<unknown>;
  readonly controller: AbortController;
  /** The version whose code started it. */
  readonly version: number;
  owner: { getSnapshot(): { status: string } };
  /** While an adoption is being installed: the old child, to hand the entry back if the install fails. */
  previousOwner: { getSnapshot(): { status: string } } | undefined;
  adopted: boolean;
  settled: boolean;
}

/** Runs a tracked promise actor's creator — or hands an adopted promise to its new child. */
export function trackPromise(
core: ComponentCore,
src: string,
args: PromiseArgs,
creator: (args: PromiseArgs) => PromiseLike<unknown>,
version: number,
): PromiseLike<unknown> {
  const adopted = core.adoptions.get(args.self.id);
  if (adopted !== undefined) {
    // The new child takes the promise over: it owns it from now on, and stopping it aborts it.
    core.adoptions.delete(args.self.id);
    core.inFlight.delete(adopted.owner);
    adopted.previousOwner = adopted.owner;
    adopted.owner = args.self;
    // `adopted` stays set until the commit: neither child's stop may abort it while the install can still fail
    core.inFlight.set(args.self, adopted);
    args.signal.addEventListener('abort', () => adopted.owner === args.self && !adopted.adopted && adopted.controller.abort(args.signal.reason), { once: true });
    return adopted.promise;
  }
  const controller = new AbortController();
  const entry: InFlightEntry = {
    childId: args.self.id,
    src,
    startedAt: core.clock.now(),
    promise: undefined as unknown as Promise<unknown>,
    controller,
    version,
    owner: args.self,
    previousOwner: undefined,
    adopted: false,
    settled: false,
  };
  // XState aborts `signal` when the child stops; an adopted promise must survive its old owner.
  args.signal.addEventListener('abort', () => entry.owner === args.self && !entry.adopted && controller.abort(args.signal.reason), { once: true });
  (entry as { promise: Promise<unknown> }).promise = Promise.resolve(creator({ ...args, signal: controller.signal }));
  core.inFlight.set(args.self, entry);
  const settle = (outcome: 'resolved' | 'rejected'): void => {
    entry.settled = true;
    if (core.inFlight.get(entry.owner) === entry) core.inFlight.delete(entry.owner);
    if (!entry.adopted && entry.owner.getSnapshot().status !== 'active') {
      bounded(core.late, { id: entry.childId, src, version: entry.version, outcome, at: core.clock.now() });
    }
    core.notifyChange();
  };
  entry.promise.then(
    () => settle('resolved'),
    () => settle('rejected'),
  );
  return entry.promise;
}

/**
 * Offers promises to the version being installed: the new actor's tracked promise actor with the same
 * id takes each one over (above) instead of starting it again. Returns the undo for a refused install,
 * which hands each promise back to its old child, tracking included.
 */
export function offerAdoptions(core: ComponentCore, entries: readonly InFlightEntry[]): () => void {
  const owners = new Map<InFlightEntry, InFlightEntry['owner']>();
  for (const entry of entries) {
    entry.adopted = true;
    owners.set(entry, entry.owner);
    core.adoptions.set(entry.childId, entry);
  }
  return () => {
    for (const [entry, owner] of owners) {
      core.inFlight.delete(entry.owner);
      entry.adopted = false;
      entry.owner = owner;
      entry.previousOwner = undefined;
      core.inFlight.set(owner, entry);
      core.adoptions.delete(entry.childId);
    }
    owners.clear();
  };
}
