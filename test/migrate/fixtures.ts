/**
 * A small media player whose v2 renames a nested state and swaps its invoked actor, so migrations
 * can leave history entries and children behind.
 */
import { createActor, fromPromise, setup } from 'xstate';
import { type PersistedSnapshot, defineVersion } from '../../src/index.ts';

const never = fromPromise(() => new Promise<number>(() => undefined));

export const playerV1Machine = setup({
  types: { context: {} as { volume: number }, events: {} as { type: 'ON' } | { type: 'OFF' } | { type: 'PAUSE' } | { type: 'LOAD' } },
  actors: { fetcher: never },
}).createMachine({
  id: 'player',
  initial: 'off',
  context: { volume: 5 },
  states: {
    off: { on: { ON: 'on.hist' } },
    on: {
      initial: 'playing',
      on: { OFF: 'off', LOAD: '.loading' },
      states: {
        playing: { on: { PAUSE: 'paused' } },
        paused: {},
        loading: { invoke: { src: 'fetcher', id: 'fetch' } },
        hist: { type: 'history' },
      },
    },
  },
});

/** v2: `paused` is now `halted`; `loading` invokes `loader` (there is no `fetcher` any more). */
export const playerV2Machine = setup({
  types: { context: {} as { volume: number }, events: {} as { type: 'ON' } | { type: 'OFF' } | { type: 'HALT' } | { type: 'LOAD' } },
  actors: { loader: never },
}).createMachine({
  id: 'player',
  initial: 'off',
  context: { volume: 5 },
  states: {
    off: { on: { ON: 'on.hist' } },
    on: {
      initial: 'playing',
      on: { OFF: 'off', LOAD: '.loading' },
      states: {
        playing: { on: { HALT: 'halted' } },
        halted: {},
        loading: { invoke: { src: 'loader', id: 'load' } },
        hist: { type: 'history' },
      },
    },
  },
});

export const playerV1 = defineVersion({ version: 1, machine: playerV1Machine });
export const playerV2 = defineVersion({ version: 2, machine: playerV2Machine });

/** Runs v1 through `events` and returns its persisted snapshot. */
export function playerV1After(...events: Array<'ON' | 'OFF' | 'PAUSE' | 'LOAD'>): PersistedSnapshot {
  const actor = createActor(playerV1Machine).start();
  for (const type of events) actor.send({ type });
  const snapshot = actor.getPersistedSnapshot() as PersistedSnapshot;
  actor.stop();
  return snapshot;
}
