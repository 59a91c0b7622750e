/**
 * Rate limiter v3, a plugin file: clients named `admin-…` get twice the capacity. The machine is v2's
 * with a tier-aware decision; the link adds nothing to the state, so it is reversible as it is. It
 * imports the v2 file next to it to re-export the lineage v1 → v2 it extends, so copy v2 first.
 */
import { assign, setup } from 'xstate';
import { defineVersion, type StateOf } from '../../../src/index.ts';
import { definePlugin } from '../../../src/plugin/index.ts';
import { CAPACITY, counted, type LimiterEvent, REFILL_MS, remember, seqViolations } from '../limiter.ts';
import { lineage as base } from '../limiter.ts';
import v2, { limiterV2, type V2Context } from './rate-limiter-v2.ts';

export const lineage = base.extend(v2);

/** Tokens per refill period for a client. */
export const capacityOf = (client: string): number => (client.startsWith('admin-') ? 2 * CAPACITY : CAPACITY);

export const limiterV3Machine = setup({
  types: { context: {} as V2Context, events: {} as LimiterEvent },
  delays: { refill: REFILL_MS },
}).createMachine({
  id: 'rate-limiter',
  initial: 'serving',
  context: { clients: {}, seq: { processed: 0, admitted: 0, throttled: 0, lastSeq: 0, gaps: 0, dupes: 0 }, refills: 0, recent: [] },
  states: {
    serving: {
      after: {
        refill: {
          target: 'serving',
          reenter: true,
          actions: assign(({ context }) => ({
            clients: Object.fromEntries(Object.entries(context.clients).map(([k, c]) => [k, { ...c, tokens: capacityOf(k) }])),
            refills: context.refills + 1,
          })),
        },
      },
      on: {
        REQUEST: {
          actions: assign(({ context, event }) => {
            const c = context.clients[event.client] ?? { tokens: capacityOf(event.client), admitted: 0 };
            const ok = c.tokens > 0;
            return {
              clients: { ...context.clients, [event.client]: { tokens: ok ? c.tokens - 1 : 0, admitted: c.admitted + (ok ? 1 : 0) } },
              seq: counted(context.seq, event.seq, ok),
              recent: remember(context.recent, [event.seq, ok ? 1 : 0, 3]),
            };
          }),
        },
      },
    },
  },
});

export const limiterV3 = defineVersion({
  version: 3,
  machine: limiterV3Machine,
  description: 'admin tier: twice the capacity',
  invariant: ({ context }) => seqViolations(context.seq),
});


export default definePlugin({
  component: 'rate-limiter',
  from: limiterV2,
  version: limiterV3,
  link: {
    description: 'same state, tier-aware decisions',
    up: (s: StateOf<typeof limiterV2>): StateOf<typeof limiterV3> => s,
    down: (s: StateOf<typeof limiterV3>): StateOf<typeof limiterV2> => s,
  },
});
