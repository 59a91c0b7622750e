/**
 * A rate-limiter v4 plugin, loaded at run time by `examples/plugin-reload.ts`: requests from VIP
 * clients are admitted without spending a token. It exports a `definePlugin` value (for
 * `loadPlugin`, `watchPlugins` or `lineage.extend(plugin)`); the link is reversible.
 *
 * Note (DESIGN §5): an ESM module cannot be unloaded, so this module's code stays in memory after a
 * later swap away from v4. Code that must really be released belongs in a worker thread.
 */
import { assign, setup } from 'xstate';
import { defineVersion, startTimer, type StateOf } from '../../src/index.ts';
import { definePlugin } from '../../src/plugin/index.ts';
import { flushStats, type LimiterEvent, limiterV3, REFILL_MS, type V3Context, WINDOW_MS } from '../components/rate-limiter.ts';

export interface V4Context extends V3Context {
  vip: { clients: string[]; admitted: number };
}

export const limiterV4Machine = setup({
  types: { context: {} as V4Context, events: {} as LimiterEvent },
  actors: { flushStats },
  delays: { refill: REFILL_MS },
  actions: { armWindow: startTimer('window', { delay: WINDOW_MS }) },
}).createMachine({
  id: 'limiter',
  initial: 'serving',
  context: {
    bucket: { tokens: 100, capacity: 100 },
    stats: { processed: 0, admitted: 0, throttled: 0, windows: 0 },
    seq: { last: 0, gaps: 0, dupes: 0 },
    clients: {},
    vip: { clients: [], admitted: 0 },
  },
  entry: 'armWindow',
  on: {
    REQUEST: {
      actions: assign(({ context, event }) => {
        const vip = context.vip.clients.includes(event.client);
        const ok = vip || context.bucket.tokens > 0;
        const last = context.seq.last;
        return {
          bucket: { ...context.bucket, tokens: ok && !vip ? context.bucket.tokens - 1 : context.bucket.tokens },
          stats: {
            ...context.stats,
            processed: context.stats.processed + 1,
            admitted: context.stats.admitted + (ok ? 1 : 0),
            throttled: context.stats.throttled + (ok ? 0 : 1),
          },
          seq: {
            last: Math.max(last, event.seq),
            gaps: context.seq.gaps + (event.seq > last + 1 ? event.seq - last - 1 : 0),
            dupes: context.seq.dupes + (event.seq <= last ? 1 : 0),
          },
          clients: ok ? { ...context.clients, [event.client]: (context.clients[event.client] ?? 0) + 1 } : context.clients,
          vip: vip ? { ...context.vip, admitted: context.vip.admitted + 1 } : context.vip,
        };
      }),
    },
  },
  states: {
    serving: {
      tags: ['swappable'],
      after: {
        refill: { target: 'serving', reenter: true, actions: assign({ bucket: ({ context }) => ({ ...context.bucket, tokens: context.bucket.capacity }) }) },
      },
      on: { WINDOW: 'flushing' },
    },
    flushing: {
      invoke: {
        src: 'flushStats',
        input: ({ context }) => ({ processed: context.stats.processed }),
        onDone: { target: 'serving', actions: [assign({ stats: ({ context }) => ({ ...context.stats, windows: context.stats.windows + 1 }) }), 'armWindow'] },
        onError: { target: 'serving', actions: 'armWindow' },
      },
    },
  },
});

const v4 = defineVersion({
  version: 4,
  machine: limiterV4Machine,
  swapTag: 'swappable',
  description: 'VIP clients bypass the bucket',
  handlers: limiterV3.handlers,
  invariant: (state) => {
    const base = limiterV3.invariant!(state);
    const vip = state.context.vip.admitted <= state.context.stats.admitted ? [] : [{ path: 'context.vip.admitted', message: 'exceeds stats.admitted' }];
    return [...(base === true ? [] : base), ...vip];
  },
});

export const plugin = definePlugin({
  component: 'rate-limiter',
  from: limiterV3,
  version: v4,
  link: {
    description: "add VIP clients (starting with 'admin')",
    up: ({ value, context }: StateOf<typeof limiterV3>) => ({ value, context: { ...context, vip: { clients: ['admin'], admitted: 0 } } }),
    down: ({ value, context: { vip: _vip, ...context } }: StateOf<typeof v4>) => ({ value, context }),
  },
});
