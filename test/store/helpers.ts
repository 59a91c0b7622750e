/** Shared set-up for the store tests: a real v1 driver actor that has done some work. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedClock, createActor } from 'xstate';
import type { PersistedSnapshot, PersistedTimer } from '../../src/index.ts';
import { driverV1Machine } from '../fixtures/driver.ts';

/**
 * Runs v1 of the driver: two jobs queued, the first one finished by its 100 ms delay, the second
 * started and a third queued. Ends in `busy` with `{ queue: ['b', 'c'], completed: 1 }`.
 */
export function workedV1Snapshot(): PersistedSnapshot {
  const clock = new SimulatedClock();
  const actor = createActor(driverV1Machine, { clock }).start();
  actor.send({ type: 'ENQUEUE', id: 'a' });
  actor.send({ type: 'ENQUEUE', id: 'b' });
  actor.send({ type: 'START' });
  clock.increment(100);
  actor.send({ type: 'START' });
  actor.send({ type: 'ENQUEUE', id: 'c' });
  const snapshot = actor.getPersistedSnapshot() as PersistedSnapshot;
  actor.stop();
  return snapshot;
}

/** A v1 driver actor that was stopped: its persisted status is `stopped`. */
export function stoppedV1Snapshot(): PersistedSnapshot {
  const actor = createActor(driverV1Machine).start();
  actor.send({ type: 'ENQUEUE', id: 'a' });
  actor.stop();
  return actor.getPersistedSnapshot() as PersistedSnapshot;
}

/** The delayed event pending in `busy`, as the live runtime records it. */
export const busyDelay: PersistedTimer = {
  kind: 'delay',
  id: 'xstate.after.100.driver.busy',
  event: { type: 'xstate.after.100.driver.busy' },
  delayMs: 100,
  remainingMs: 40,
};

/** A fresh temporary directory, and a function that deletes it. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'hotswap-store-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
