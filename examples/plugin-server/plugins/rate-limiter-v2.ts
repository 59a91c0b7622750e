/**
 * Rate limiter v2, a plugin file: per-client records `{ tokens, admitted }` instead of a token count,
 * so the server can report who is using it. The link carries each client's tokens left; `down` gives
 * them back as v1's counts. Copy it into the server's plugins directory to swap it in.
 */
import { assign, setup } from 'xstate';
import { defineVersion, type StateOf } from '../../../src/index.ts';
import { definePlugin } from '../../../src/plugin/index.ts';
import { CAPACITY, counted, type LimiterEvent, limiterV1, REFILL_MS, remember, seqViolations, type SeqCheck, type Decision } from '../limiter.ts';

// what this file extends: the worker hosts `lineage.extend(<default export>)`
export { lineage } from '../limiter.ts';

export interface V2Context {
  clients: Record<string, { tokens: number; admitted: number }>;
  seq: SeqCheck;
  refills: number;
  recent: Decision[];
}

/**
 * The per-client limiter every version from v2 on runs: `capacityOf` a client's tokens per refill
 * period, `version` the tag it writes into each recent decision. v3 and the flawed v4 differ from v2
 * only in those two.
 */
export function clientLimiter(capacityOf: (client: string) => number, version: number) {
  return setup({
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
                recent: remember(context.recent, [event.seq, ok ? 1 : 0, version]),
              };
            }),
          },
        },
      },
    },
  });
}

export const limiterV2Machine = clientLimiter(() => CAPACITY, 2);

export const limiterV2 = defineVersion({
  version: 2,
  machine: limiterV2Machine,
  description: 'per-client records',
  invariant: ({ context }) => seqViolations(context.seq),
});

export default definePlugin({
  component: 'rate-limiter',
  from: limiterV1,
  version: limiterV2,
  link: {
    description: 'token counts become per-client records',
    up: ({ value, context: { tokens, ...rest } }: StateOf<typeof limiterV1>) => ({
      value,
      context: { ...rest, clients: Object.fromEntries(Object.entries(tokens).map(([k, t]) => [k, { tokens: t, admitted: 0 }])) },
    }),
    down: ({ value, context: { clients, ...rest } }: StateOf<typeof limiterV2>) => ({
      value,
      context: { ...rest, tokens: Object.fromEntries(Object.entries(clients).map(([k, c]) => [k, c.tokens])) },
    }),
  },
});
