/**
 * The component the inspector tests look at: a login session holding a secret in its context, with a
 * pending `after` (the session expiry) so the ledger has a delay with remaining time. v2 renames
 * `token` to `secret` (reversible); v3's link forgets to count logins, which v3's invariant refuses.
 */
import { assign, setup } from 'xstate';
import { defineVersion, lineage } from '../../src/index.ts';

type SessionEvent = { type: 'LOGIN'; user: string } | { type: 'LOGOUT' };
const EXPIRY_MS = 600_000;

const v1Machine = setup({ types: { context: {} as { user: string; token: string; logins: number }, events: {} as SessionEvent } }).createMachine({
  id: 'session',
  initial: 'out',
  context: { user: '', token: 'tok-v1-secret', logins: 0 },
  states: {
    out: { on: { LOGIN: { target: 'in', actions: assign({ user: ({ event }) => event.user, logins: ({ context }) => context.logins + 1 }) } } },
    in: { after: { [EXPIRY_MS]: 'out' }, on: { LOGOUT: 'out' } },
  },
});
const v2Machine = setup({ types: { context: {} as { user: string; secret: string; logins: number }, events: {} as SessionEvent } }).createMachine({
  id: 'session',
  initial: 'out',
  context: { user: '', secret: 'tok-v2-secret', logins: 0 },
  states: {
    out: { on: { LOGIN: { target: 'in', actions: assign({ user: ({ event }) => event.user, logins: ({ context }) => context.logins + 1 }) } } },
    in: { after: { [EXPIRY_MS]: 'out' }, on: { LOGOUT: 'out' } },
  },
});
const v3Machine = setup({ types: { context: {} as { user: string; secret: string; logins: number; audit: number }, events: {} as SessionEvent } }).createMachine({
  id: 'session',
  initial: 'out',
  context: { user: '', secret: '', logins: 0, audit: 0 },
  states: {
    out: { on: { LOGIN: { target: 'in', actions: assign({ user: ({ event }) => event.user, logins: ({ context }) => context.logins + 1 }) } } },
    in: { after: { [EXPIRY_MS]: 'out' }, on: { LOGOUT: 'out' } },
  },
});

export const sessionLineage = lineage('session', defineVersion({ version: 1, machine: v1Machine }))
  .next(defineVersion({ version: 2, machine: v2Machine }), {
    up: ({ value, context: { token, ...rest } }) => ({ value, context: { ...rest, secret: token } }),
    down: ({ value, context: { secret, ...rest } }) => ({ value, context: { ...rest, token: secret } }),
  })
  .next(
    defineVersion({
      version: 3,
      machine: v3Machine,
      invariant: ({ context }) => (context.audit === context.logins ? true : [{ path: 'context.audit', message: `expected ${context.logins} (one per login), got ${context.audit}` }]),
    }),
    { up: ({ value, context }) => ({ value, context: { ...context, audit: 0 } }) },
  );
