/**
 * A plugin module as it would arrive at run time: driver v4 and its link from v3.
 * v4 adds a `paused` state and counts cancelled jobs.
 */
import { assign, setup } from 'xstate';
import { type Link, type VersionPlugin, defineVersion } from '../../src/index.ts';
import type { DriverEvent, driverV3 } from '../fixtures/driver.ts';

export const driverV4Machine = setup({
  types: {
    context: {} as { queue: string[]; stats: { completed: number; failed: number; cancelled: number }; retries: number },
    events: {} as DriverEvent | { type: 'PAUSE' } | { type: 'RESUME' },
  },
}).createMachine({
  id: 'driver',
  initial: 'idle',
  context: { queue: [], stats: { completed: 0, failed: 0, cancelled: 0 }, retries: 0 },
  states: {
    idle: {
      on: {
        ENQUEUE: { actions: assign({ queue: ({ context, event }) => [...context.queue, event.id] }) },
        START: { target: 'working', guard: ({ context }) => context.queue.length > 0 },
        PAUSE: 'paused',
      },
    },
    paused: { on: { RESUME: 'idle' } },
    working: {
      on: {
        CANCEL: { target: 'idle', actions: assign({ stats: ({ context }) => ({ ...context.stats, cancelled: context.stats.cancelled + 1 }) }) },
      },
    },
  },
});

export const driverV4 = defineVersion({
  version: 4,
  machine: driverV4Machine,
  invariant: ({ context }) => (context.stats.cancelled >= 0 ? true : [{ path: 'context.stats.cancelled', message: 'negative' }]),
});

const link: Link<typeof driverV3, typeof driverV4> = {
  description: 'count cancelled jobs',
  up: ({ value, context }) => ({ value, context: { ...context, stats: { ...context.stats, cancelled: 0 } } }),
  down: ({ value, context: { stats: { cancelled: _cancelled, ...stats }, ...context } }) => ({
    value: value === 'paused' ? 'idle' : value,
    context: { ...context, stats },
  }),
};

/** What the plugin module exports. */
export const plugin: VersionPlugin = { from: 3, version: driverV4, link };
