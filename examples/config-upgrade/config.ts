/**
 * A config component in four versions: the settings a service reads for its upstream calls, changed at
 * run time by `SET` events and refreshed by an `after` delay. Each version's context is validated by a
 * zod schema (a Standard Schema) whenever a swap or a restore installs it.
 *
 * v1: `{ upstream, timeoutMs, retries }`.
 * v2: `timeoutMs` becomes `timeout: { connect, read }` (connect capped at 2 s); down takes `read`.
 * v3: `retries` becomes `retry: { attempts, backoffMs }`; down takes `attempts`.
 * v4: adds a per-call `budgetMs` (connect + read × attempts) with the invariant that it stays under
 *     30 s — which a live config with long reads breaks, so that upgrade is refused.
 */
import { assign, setup } from 'xstate';
import { z } from 'zod';
import { defineVersion, lineage, type StateOf } from '../../src/index.ts';

/** How often the config re-reads its source (ms). */
export const REFRESH_MS = 60_000;
/** v4's limit on the time one call may take in all (ms). */
export const BUDGET_LIMIT_MS = 30_000;

type Set<C> = { type: 'SET'; patch: Partial<C> };

const v1Schema = z.object({ upstream: z.url(), timeoutMs: z.int().positive(), retries: z.int().min(0).max(10), refreshes: z.int().min(0) });
export type V1 = z.infer<typeof v1Schema>;
const v1Machine = setup({ types: { context: {} as V1, events: {} as Set<V1> }, delays: { refresh: REFRESH_MS } }).createMachine({
  id: 'config',
  context: { upstream: 'https://billing.internal/api', timeoutMs: 5000, retries: 2, refreshes: 0 },
  on: { SET: { actions: assign(({ context, event }) => ({ ...context, ...event.patch })) } },
  initial: 'active',
  states: { active: { after: { refresh: { target: 'active', reenter: true, actions: assign({ refreshes: ({ context }) => context.refreshes + 1 }) } } } },
});
export const configV1 = defineVersion({ version: 1, machine: v1Machine, schema: v1Schema, description: 'flat timeout' });

const timeout = z.object({ connect: z.int().positive(), read: z.int().positive() }).refine((t) => t.connect <= t.read, { message: 'connect must not exceed read', path: ['connect'] });
const v2Schema = z.object({ upstream: z.url(), timeout, retries: z.int().min(0).max(10), refreshes: z.int().min(0) });
export type V2 = z.infer<typeof v2Schema>;
const v2Machine = setup({ types: { context: {} as V2, events: {} as Set<V2> }, delays: { refresh: REFRESH_MS } }).createMachine({
  id: 'config',
  context: { upstream: 'https://billing.internal/api', timeout: { connect: 2000, read: 5000 }, retries: 2, refreshes: 0 },
  on: { SET: { actions: assign(({ context, event }) => ({ ...context, ...event.patch })) } },
  initial: 'active',
  states: { active: { after: { refresh: { target: 'active', reenter: true, actions: assign({ refreshes: ({ context }) => context.refreshes + 1 }) } } } },
});
export const configV2 = defineVersion({ version: 2, machine: v2Machine, schema: v2Schema, description: 'timeout split into connect and read' });

const v3Schema = z.object({ upstream: z.url(), timeout, retry: z.object({ attempts: z.int().min(0).max(10), backoffMs: z.int().min(0) }), refreshes: z.int().min(0) });
export type V3 = z.infer<typeof v3Schema>;
const v3Machine = setup({ types: { context: {} as V3, events: {} as Set<V3> }, delays: { refresh: REFRESH_MS } }).createMachine({
  id: 'config',
  context: { upstream: 'https://billing.internal/api', timeout: { connect: 2000, read: 5000 }, retry: { attempts: 2, backoffMs: 200 }, refreshes: 0 },
  on: { SET: { actions: assign(({ context, event }) => ({ ...context, ...event.patch })) } },
  initial: 'active',
  states: { active: { after: { refresh: { target: 'active', reenter: true, actions: assign({ refreshes: ({ context }) => context.refreshes + 1 }) } } } },
});
export const configV3 = defineVersion({ version: 3, machine: v3Machine, schema: v3Schema, description: 'retries with backoff' });

const v4Schema = v3Schema.extend({ budgetMs: z.int().positive() });
export type V4 = z.infer<typeof v4Schema>;
const v4Machine = setup({ types: { context: {} as V4, events: {} as Set<V4> }, delays: { refresh: REFRESH_MS } }).createMachine({
  id: 'config',
  context: { upstream: 'https://billing.internal/api', timeout: { connect: 2000, read: 5000 }, retry: { attempts: 2, backoffMs: 200 }, refreshes: 0, budgetMs: 12_000 },
  on: { SET: { actions: assign(({ context, event }) => ({ ...context, ...event.patch })) } },
  initial: 'active',
  states: { active: { after: { refresh: { target: 'active', reenter: true, actions: assign({ refreshes: ({ context }) => context.refreshes + 1 }) } } } },
});
export const configV4 = defineVersion({
  version: 4,
  machine: v4Machine,
  schema: v4Schema,
  description: 'a time budget per call',
  invariant: ({ context: c }) =>
    c.budgetMs <= BUDGET_LIMIT_MS ? [] : [{ path: 'context.budgetMs', message: `must be at most ${BUDGET_LIMIT_MS} ms, got ${c.budgetMs} (connect ${c.timeout.connect} + read ${c.timeout.read} × ${c.retry.attempts + 1} attempts)` }],
});

export const config = lineage('config', configV1)
  .next(configV2, {
    description: 'timeoutMs → timeout { connect, read }',
    up: ({ value, context: { timeoutMs, ...rest } }: StateOf<typeof configV1>) => ({ value, context: { ...rest, timeout: { connect: Math.min(timeoutMs, 2000), read: timeoutMs } } }),
    down: ({ value, context: { timeout: t, ...rest } }: StateOf<typeof configV2>) => ({ value, context: { ...rest, timeoutMs: t.read } }),
  })
  .next(configV3, {
    description: 'retries → retry { attempts, backoffMs }',
    up: ({ value, context: { retries, ...rest } }: StateOf<typeof configV2>) => ({ value, context: { ...rest, retry: { attempts: retries, backoffMs: 200 } } }),
    down: ({ value, context: { retry, ...rest } }: StateOf<typeof configV3>) => ({ value, context: { ...rest, retries: retry.attempts } }),
  });

/** v4's link: computes the budget from the live values (one try plus the retries). */
export const withV4 = config.next(configV4, {
  description: 'add budgetMs',
  up: ({ value, context }: StateOf<typeof configV3>) => ({ value, context: { ...context, budgetMs: context.timeout.connect + context.timeout.read * (context.retry.attempts + 1) } }),
  down: ({ value, context: { budgetMs: _budget, ...rest } }: StateOf<typeof configV4>) => ({ value, context: rest }),
});
