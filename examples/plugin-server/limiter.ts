/**
 * The plugin server's component, version 1: a per-client token-bucket rate limiter, hosted in a worker.
 *
 * Each HTTP request becomes one `REQUEST` event numbered by the server (1, 2, 3, …). The machine
 * decides (admit or throttle), counts what it processed and checks the numbers as they arrive
 * (`gaps`: a number skipped = an event lost; `dupes`: one repeated = processed twice). Those counters
 * are migrated with the rest of the state, so after any number of swaps the machine itself says whether
 * every accepted request was processed exactly once. Its last decisions (`recent`) travel back to the
 * main thread in the mirrored snapshot, which is how the server answers each request.
 *
 * The timer a swap must carry: `after refill` (100 ms) refills every bucket; the pending delay is
 * handed to the next version with its remaining time.
 *
 * The later versions are plugin files (`plugins/rate-limiter-v<N>.ts`), each re-exporting the lineage
 * it extends, as a worker-hosted plugin must.
 */
import { assign, setup } from 'xstate';
import { defineVersion, lineage as defineLineage, type Violation } from '../../src/index.ts';

/** A request from `client`, numbered by the server. */
export type LimiterEvent = { type: 'REQUEST'; seq: number; client: string };

/** One decision: `[seq, admitted ? 1 : 0, version that decided]`. */
export type Decision = readonly [number, 0 | 1, number];

/** Refill period of every bucket (ms). */
export const REFILL_MS = 100;
/** Tokens per client per refill period in v1. */
export const CAPACITY = 40;
/** How many decisions the context keeps (more than the requests one batch can hold). */
export const RECENT = 256;

/** The exactly-once witness shared by every version. */
export interface SeqCheck {
  processed: number;
  admitted: number;
  throttled: number;
  lastSeq: number;
  gaps: number;
  dupes: number;
}

/** Counts one request with its decision. */
export function counted(s: SeqCheck, seq: number, ok: boolean): SeqCheck {
  return {
    processed: s.processed + 1,
    admitted: s.admitted + (ok ? 1 : 0),
    throttled: s.throttled + (ok ? 0 : 1),
    lastSeq: Math.max(s.lastSeq, seq),
    gaps: s.gaps + (seq > s.lastSeq + 1 ? seq - s.lastSeq - 1 : 0),
    dupes: s.dupes + (seq <= s.lastSeq ? 1 : 0),
  };
}

/** Appends a decision to the bounded `recent` list. */
export function remember(recent: readonly Decision[], d: Decision): Decision[] {
  const next = recent.length >= RECENT ? recent.slice(recent.length - RECENT + 1) : recent.slice();
  next.push(d);
  return next;
}

/** The invariant every version keeps: processed = admitted + throttled, and no gap or repeat. */
export function seqViolations(s: SeqCheck, at = 'context.seq'): Violation[] {
  const out: Violation[] = [];
  if (s.admitted + s.throttled !== s.processed) {
    out.push({ path: `${at}.processed`, message: `must equal admitted + throttled (${s.admitted} + ${s.throttled}), got ${s.processed}` });
  }
  if (s.gaps !== 0 || s.dupes !== 0) out.push({ path: at, message: `lost ${s.gaps}, duplicated ${s.dupes}` });
  return out;
}

export interface V1Context {
  /** Tokens left per client in this period. */
  tokens: Record<string, number>;
  seq: SeqCheck;
  refills: number;
  recent: Decision[];
}

export const limiterV1Machine = setup({
  types: { context: {} as V1Context, events: {} as LimiterEvent },
  delays: { refill: REFILL_MS },
}).createMachine({
  id: 'rate-limiter',
  initial: 'serving',
  context: { tokens: {}, seq: { processed: 0, admitted: 0, throttled: 0, lastSeq: 0, gaps: 0, dupes: 0 }, refills: 0, recent: [] },
  states: {
    serving: {
      after: { refill: { target: 'serving', reenter: true, actions: assign({ tokens: {}, refills: ({ context }) => context.refills + 1 }) } },
      on: {
        REQUEST: {
          actions: assign(({ context, event }) => {
            const left = context.tokens[event.client] ?? CAPACITY;
            const ok = left > 0;
            return {
              tokens: { ...context.tokens, [event.client]: ok ? left - 1 : 0 },
              seq: counted(context.seq, event.seq, ok),
              recent: remember(context.recent, [event.seq, ok ? 1 : 0, 1]),
            };
          }),
        },
      },
    },
  },
});

export const limiterV1 = defineVersion({
  version: 1,
  machine: limiterV1Machine,
  description: 'per-client token bucket',
  invariant: ({ context }) => seqViolations(context.seq),
});

/** The lineage the server starts with; each plugin file extends it. */
export const lineage = defineLineage('rate-limiter', limiterV1);
