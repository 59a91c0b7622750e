/**
 * A token-bucket rate limiter in three versions, used by `examples/exactly-once/` and the smaller examples.
 *
 * Every version counts the requests it has processed in its own context and checks their sequence
 * numbers as they arrive (`seq.gaps` = a number was skipped, i.e. an event was lost; `seq.dupes` = a
 * number came twice or out of order). Those counters survive every migration, so the machine itself
 * is the witness that no event was lost or duplicated across swaps.
 *
 * Effects a swap must carry:
 * - an XState delayed event: `after refill` (50 ms) in the serving state adds tokens;
 * - a runtime timer: `startTimer('window', 100 ms)` closes a stats window, which invokes the
 *   `flushStats` promise (a few ms of "I/O"); the state is not a swap point while it is in flight.
 *
 * v1: flat context, state `open | flushing`.
 * v2: groups the context (`bucket`, `stats`, `seq`), renames `open` → `serving`; reversible.
 * v3: adds per-client admission counts (`clients`); reversible (down forgets `clients`).
 */
import { assign, fromPromise, setup } from 'xstate';
import { defineVersion, lineage, startTimer, type Violation } from '../../src/index.ts';

/** A request from a client, numbered by the sender (1, 2, 3, …). */
export type RequestEvent = { type: 'REQUEST'; seq: number; client: string };
/** Every event the rate limiter understands. */
export type LimiterEvent = RequestEvent | { type: 'WINDOW' };

/** Full refill period of the bucket (ms). */
export const REFILL_MS = 50;
/** Length of a stats window (ms), measured by a runtime timer. */
export const WINDOW_MS = 100;
/** How long flushing a window's stats takes (ms of simulated I/O). */
export const FLUSH_MS = 3;

/** Simulated I/O: "writes" the window's stats somewhere and resolves after {@link FLUSH_MS}. */
export const flushStats = fromPromise<number, { processed: number }>(
  ({ input, signal }) =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => resolve(input.processed), FLUSH_MS);
      signal.addEventListener('abort', () => {
        clearTimeout(t);
        reject(new Error('flush aborted'));
      });
    }),
);

/** Sequence check shared by every version: `last` is the highest number seen. */
const checkSeq = (s: { last: number; gaps: number; dupes: number }, seq: number) => ({
  last: Math.max(s.last, seq),
  gaps: s.gaps + (seq > s.last + 1 ? seq - s.last - 1 : 0),
  dupes: s.dupes + (seq <= s.last ? 1 : 0),
});

const violations = (checks: readonly [boolean, string, string][]): Violation[] =>
  checks.filter(([ok]) => !ok).map(([, path, message]) => ({ path, message }));

// ── v1 ───────────────────────────────────────────────────────────────────────

export interface V1Context {
  tokens: number;
  capacity: number;
  processed: number;
  admitted: number;
  throttled: number;
  lastSeq: number;
  gaps: number;
  dupes: number;
  windows: number;
}

export const limiterV1Machine = setup({
  types: { context: {} as V1Context, events: {} as LimiterEvent },
  actors: { flushStats },
  delays: { refill: REFILL_MS },
  actions: {
    armWindow: startTimer('window', { delay: WINDOW_MS }),
  },
}).createMachine({
  id: 'limiter',
  initial: 'open',
  context: { tokens: 100, capacity: 100, processed: 0, admitted: 0, throttled: 0, lastSeq: 0, gaps: 0, dupes: 0, windows: 0 },
  entry: 'armWindow',
  on: {
    REQUEST: {
      actions: assign(({ context, event }) => {
        const s = checkSeq({ last: context.lastSeq, gaps: context.gaps, dupes: context.dupes }, event.seq);
        const ok = context.tokens > 0;
        return {
          tokens: ok ? context.tokens - 1 : 0,
          processed: context.processed + 1,
          admitted: context.admitted + (ok ? 1 : 0),
          throttled: context.throttled + (ok ? 0 : 1),
          lastSeq: s.last,
          gaps: s.gaps,
          dupes: s.dupes,
        };
      }),
    },
  },
  states: {
    open: {
      tags: ['swappable'],
      after: { refill: { target: 'open', reenter: true, actions: assign({ tokens: ({ context }) => context.capacity }) } },
      on: { WINDOW: 'flushing' },
    },
    flushing: {
      invoke: {
        src: 'flushStats',
        input: ({ context }) => ({ processed: context.processed }),
        onDone: { target: 'open', actions: [assign({ windows: ({ context }) => context.windows + 1 }), 'armWindow'] },
        onError: { target: 'open', actions: 'armWindow' },
      },
    },
  },
});

export const limiterV1 = defineVersion({
  version: 1,
  machine: limiterV1Machine,
  swapTag: 'swappable',
  description: 'token bucket, flat context',
  handlers: { window: () => ({ type: 'WINDOW' as const }) },
  invariant: ({ context: c }) =>
    violations([
      [c.tokens >= 0 && c.tokens <= c.capacity, 'context.tokens', `must be within 0..${c.capacity}, got ${c.tokens}`],
      [c.admitted + c.throttled === c.processed, 'context.processed', `must equal admitted + throttled (${c.admitted} + ${c.throttled}), got ${c.processed}`],
    ]),
});

// ── v2 ───────────────────────────────────────────────────────────────────────

export interface V2Context {
  bucket: { tokens: number; capacity: number };
  stats: { processed: number; admitted: number; throttled: number; windows: number };
  seq: { last: number; gaps: number; dupes: number };
}

const admitV2 = (context: V2Context, event: RequestEvent): V2Context => {
  const ok = context.bucket.tokens > 0;
  return {
    bucket: { ...context.bucket, tokens: ok ? context.bucket.tokens - 1 : 0 },
    stats: {
      ...context.stats,
      processed: context.stats.processed + 1,
      admitted: context.stats.admitted + (ok ? 1 : 0),
      throttled: context.stats.throttled + (ok ? 0 : 1),
    },
    seq: checkSeq(context.seq, event.seq),
  };
};

export const limiterV2Machine = setup({
  types: { context: {} as V2Context, events: {} as LimiterEvent },
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
  },
  entry: 'armWindow',
  on: { REQUEST: { actions: assign(({ context, event }) => admitV2(context, event)) } },
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

const v2Invariant = ({ context: c }: { context: V2Context }): Violation[] =>
  violations([
    [
      c.bucket.tokens >= 0 && c.bucket.tokens <= c.bucket.capacity,
      'context.bucket.tokens',
      `must be within 0..${c.bucket.capacity}, got ${c.bucket.tokens}`,
    ],
    [
      c.stats.admitted + c.stats.throttled === c.stats.processed,
      'context.stats.processed',
      `must equal admitted + throttled (${c.stats.admitted} + ${c.stats.throttled}), got ${c.stats.processed}`,
    ],
  ]);

export const limiterV2 = defineVersion({
  version: 2,
  machine: limiterV2Machine,
  swapTag: 'swappable',
  description: 'grouped context; open renamed serving',
  handlers: { window: () => ({ type: 'WINDOW' as const }) },
  invariant: v2Invariant,
});

// ── v3 ───────────────────────────────────────────────────────────────────────

export interface V3Context extends V2Context {
  /** Admitted requests per client since v3 took over. */
  clients: Record<string, number>;
}

export const limiterV3Machine = setup({
  types: { context: {} as V3Context, events: {} as LimiterEvent },
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
  },
  entry: 'armWindow',
  on: {
    REQUEST: {
      actions: assign(({ context, event }) => {
        const ok = context.bucket.tokens > 0;
        return {
          ...admitV2(context, event),
          clients: ok ? { ...context.clients, [event.client]: (context.clients[event.client] ?? 0) + 1 } : context.clients,
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

export const limiterV3 = defineVersion({
  version: 3,
  machine: limiterV3Machine,
  swapTag: 'swappable',
  description: 'per-client admission counts',
  handlers: { window: () => ({ type: 'WINDOW' as const }) },
  invariant: ({ context: c }) => {
    const perClient = Object.values(c.clients).reduce((a, b) => a + b, 0);
    return [
      ...v2Invariant({ context: c }),
      ...violations([[perClient <= c.stats.admitted, 'context.clients', `per-client total ${perClient} exceeds admitted ${c.stats.admitted}`]]),
    ];
  },
});

// ── the lineage ──────────────────────────────────────────────────────────────

/** The rate limiter's lineage: v1 → v2 → v3, every link reversible. */
export const rateLimiter = lineage('rate-limiter', limiterV1)
  .next(limiterV2, {
    description: 'group the context; rename open → serving',
    renamedStates: { open: 'serving' },
    up: ({ value, context: c }) => ({
      value: value === 'open' ? ('serving' as const) : value,
      context: {
        bucket: { tokens: c.tokens, capacity: c.capacity },
        stats: { processed: c.processed, admitted: c.admitted, throttled: c.throttled, windows: c.windows },
        seq: { last: c.lastSeq, gaps: c.gaps, dupes: c.dupes },
      },
    }),
    down: ({ value, context: c }) => ({
      value: value === 'serving' ? ('open' as const) : value,
      context: {
        tokens: c.bucket.tokens,
        capacity: c.bucket.capacity,
        processed: c.stats.processed,
        admitted: c.stats.admitted,
        throttled: c.stats.throttled,
        windows: c.stats.windows,
        lastSeq: c.seq.last,
        gaps: c.seq.gaps,
        dupes: c.seq.dupes,
      },
    }),
  })
  .next(limiterV3, {
    description: 'add per-client admission counts (down forgets them)',
    up: ({ value, context }) => ({ value, context: { ...context, clients: {} } }),
    down: ({ value, context: { clients: _clients, ...context } }) => ({ value, context }),
  });

/** The processed count and sequence check of any version's context, for reporting. */
export function countersOf(version: number, context: any): { processed: number; last: number; gaps: number; dupes: number } {
  if (version === 1) {
    const c = context as V1Context;
    return { processed: c.processed, last: c.lastSeq, gaps: c.gaps, dupes: c.dupes };
  }
  const c = context as V2Context;
  return { processed: c.stats.processed, last: c.seq.last, gaps: c.seq.gaps, dupes: c.seq.dupes };
}
