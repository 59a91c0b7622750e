/**
 * The machines and lineages the benchmarks run. Each swap benchmark uses a two-version lineage with a
 * reversible link, so one live component can swap v1 → v2 → v1 … indefinitely, and the naive floor
 * calls the very same `up` / `down` functions directly.
 */
import { assign, setup } from 'xstate';
import { defineVersion, lineage } from 'hotswap';

// ── event throughput: a counter ──────────────────────────────────────────────

export type CounterEvent = { type: 'INC'; by: number } | { type: 'RESET' };

/** The simplest useful machine: one state, an `assign` per event. */
export const counterMachine = setup({
  types: { context: {} as { count: number }, events: {} as CounterEvent },
}).createMachine({
  id: 'counter',
  context: { count: 0 },
  on: {
    INC: { actions: assign({ count: ({ context, event }) => context.count + event.by }) },
    RESET: { actions: assign({ count: 0 }) },
  },
});

export const counterLineage = lineage('counter', defineVersion({ version: 1, machine: counterMachine }));

// ── swaps: a waiting job with a pending `after` and a payload ────────────────

/** How long the pending delay waits: long enough never to fire during a benchmark section. */
export const PENDING_DELAY_MS = 60_000;

/** One element of a sized payload. */
export interface Item {
  readonly id: number;
  readonly name: string;
  readonly value: number;
  readonly tags: readonly string[];
}

export interface JobContextV1 {
  readonly count: number;
  readonly label: string;
  readonly enabled: boolean;
  /** The payload that sizes the state; absent in the tiny state (3 fields). */
  readonly items?: readonly Item[];
}

export interface JobContextV2 {
  readonly count: number;
  readonly name: string;
  readonly enabled: boolean;
  /** The payload that sizes the state; absent in the tiny state (3 fields). */
  readonly items?: readonly Item[];
}

export type JobEvent = { type: 'TICK' } | { type: 'EXPIRE' };

/** The input both versions start from: `items` (if any) is the payload that sizes the state. */
export interface JobInput {
  readonly items?: readonly Item[];
}

const jobStates = {
  // a pending delay must exist at every swap: `after` 60 s, re-armed by hotswap with its remaining time
  waiting: {
    after: { [PENDING_DELAY_MS]: { target: 'expired' } },
    on: { TICK: { actions: 'tick' } },
  },
  expired: {},
} as const;

export const jobV1Machine = setup({
  types: { context: {} as JobContextV1, events: {} as JobEvent, input: {} as JobInput },
  actions: { tick: assign({ count: ({ context }: { context: JobContextV1 }) => context.count + 1 }) },
}).createMachine({
  id: 'job',
  initial: 'waiting',
  context: ({ input }) => ({ count: 0, label: 'job', enabled: true, ...(input.items === undefined ? {} : { items: input.items }) }),
  states: jobStates,
});

export const jobV2Machine = setup({
  types: { context: {} as JobContextV2, events: {} as JobEvent, input: {} as JobInput },
  actions: { tick: assign({ count: ({ context }: { context: JobContextV2 }) => context.count + 1 }) },
}).createMachine({
  id: 'job',
  initial: 'waiting',
  context: ({ input }) => ({ count: 0, name: 'job', enabled: true, ...(input.items === undefined ? {} : { items: input.items }) }),
  states: jobStates,
});

type JobValue = 'waiting' | 'expired';

/** v1 → v2: rename `label` to `name`; the payload is passed through untouched (a typical link). */
export const jobUp = ({ value, context: { label, ...rest } }: { value: JobValue; context: JobContextV1 }) => ({
  value,
  context: { ...rest, name: label },
});

/** v2 → v1. */
export const jobDown = ({ value, context: { name, ...rest } }: { value: JobValue; context: JobContextV2 }) => ({
  value,
  context: { ...rest, label: name },
});

const nonNegative = ({ context }: { context: { count: number } }) =>
  context.count >= 0 ? (true as const) : [{ path: 'context.count', message: `must be >= 0, got ${context.count}` }];

export const jobV1 = defineVersion({ version: 1, machine: jobV1Machine, invariant: nonNegative });
export const jobV2 = defineVersion({ version: 2, machine: jobV2Machine, invariant: nonNegative });

export const jobLineage = lineage('job', jobV1).next(jobV2, { up: jobUp, down: jobDown });

/** The machine of version `n` of {@link jobLineage}, for the naive floor. */
export const jobMachines = { 1: jobV1Machine, 2: jobV2Machine } as const;

// ── payloads ────────────────────────────────────────────────────────────────

/** A fresh (unfrozen, never shared) item. */
function item(i: number): Item {
  return { id: i, name: `item-${i.toString(36).padStart(6, '0')}`, value: (i * 7919) % 100_003, tags: ['a', 'bench'] };
}

const counts = new Map<number, number>();

/** How many items make the whole context serialise to about `bytes` of JSON (calibrated once). */
function itemsFor(bytes: number): number {
  const hit = counts.get(bytes);
  if (hit !== undefined) return hit;
  const shell = JSON.stringify({ count: 0, label: 'job', enabled: true, items: [] }).length;
  const guess = Math.max(1, Math.round((bytes - shell) / (JSON.stringify(item(1)).length + 1)));
  const actual = JSON.stringify(build(guess)).length;
  const n = Math.max(1, Math.round((guess * (bytes - shell)) / actual));
  counts.set(bytes, n);
  return n;
}

function build(n: number): Item[] {
  const items: Item[] = new Array(n);
  for (let i = 0; i < n; i++) items[i] = item(i);
  return items;
}

/**
 * A fresh payload of items such that the whole context serialises to about `bytes` of JSON. Fresh
 * every call: a live component's state is not frozen until something freezes it.
 */
export function payload(bytes: number): Item[] {
  return build(itemsFor(bytes));
}
