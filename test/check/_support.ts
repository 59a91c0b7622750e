/**
 * Hand-built samples for unit tests of the analysis: run a real actor through chosen events and take
 * its persisted snapshot; pending delays are the `after` transitions of the states it is in (the
 * timers its entry actions scheduled).
 */
import { type AnyStateMachine, type EventObject, createActor } from 'xstate';
import type { CheckSample } from '../../src/check/_internal/samples.ts';
import { declaredDelays } from '../../src/check/_internal/machine.ts';
import type { PersistedSnapshot } from '../../src/xstate/persisted.ts';

export function sampleOf(machine: AnyStateMachine, events: readonly EventObject[] = []): CheckSample {
  const actor = createActor(machine).start();
  for (const e of events) actor.send(e);
  const snapshot = structuredClone(actor.getPersistedSnapshot()) as PersistedSnapshot;
  actor.stop();
  const pendingDelays = declaredDelays(machine, snapshot.value).map((d) => ({
    id: d.event,
    event: { type: d.event },
    delayMs: typeof d.delay === 'number' ? d.delay : 0,
  }));
  return { events, snapshot, pendingDelays };
}
