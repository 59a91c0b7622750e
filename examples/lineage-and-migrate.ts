/**
 * Define a lineage of three versions of a small `retry-policy` component, migrate a real v1
 * snapshot up to v3 and back down to v2, and show what `migrate` says about broken links: a
 * forgotten field, an unmapped state and a violated invariant are blockers, never defaults.
 *
 * No live runtime here: `migrate` works on persisted snapshots (`actor.getPersistedSnapshot()`).
 *
 * Run: npx tsx examples/lineage-and-migrate.ts
 */
import { assign, createActor, setup } from 'xstate';
import { defineVersion, formatBlockers, lineage, migrate, type PersistedSnapshot } from '../src/index.ts';

type Ev = { type: 'FAIL' } | { type: 'RESET' };

// v1: a retry counter with a flat limit.
const v1 = defineVersion({
  version: 1,
  machine: setup({ types: { context: {} as { attempts: number; maxAttempts: number }, events: {} as Ev } }).createMachine({
    id: 'retry',
    initial: 'ok',
    context: { attempts: 0, maxAttempts: 3 },
    states: {
      ok: { on: { FAIL: { target: 'retrying', actions: assign({ attempts: 1 }) } } },
      retrying: {
        on: {
          FAIL: [
            { guard: ({ context }) => context.attempts + 1 >= context.maxAttempts, target: 'gaveUp', actions: assign({ attempts: ({ context }) => context.attempts + 1 }) },
            { actions: assign({ attempts: ({ context }) => context.attempts + 1 }) },
          ],
          RESET: { target: 'ok', actions: assign({ attempts: 0 }) },
        },
      },
      gaveUp: { on: { RESET: { target: 'ok', actions: assign({ attempts: 0 }) } } },
    },
  }),
  invariant: ({ context }) => (context.attempts <= context.maxAttempts ? true : [{ path: 'context.attempts', message: `exceeds maxAttempts ${context.maxAttempts}` }]),
});

// v2: the limit becomes a policy object with a backoff; `gaveUp` is renamed `exhausted`.
interface V2Ctx {
  attempts: number;
  policy: { max: number; backoffMs: number };
}
const v2Machine = setup({ types: { context: {} as V2Ctx, events: {} as Ev } }).createMachine({
  id: 'retry',
  initial: 'ok',
  context: { attempts: 0, policy: { max: 3, backoffMs: 100 } },
  states: { ok: { on: { FAIL: 'retrying' } }, retrying: { on: { RESET: 'ok' } }, exhausted: { on: { RESET: 'ok' } } },
});
const v2 = defineVersion({
  version: 2,
  machine: v2Machine,
  invariant: ({ context }) => (context.attempts <= context.policy.max ? true : [{ path: 'context.attempts', message: `exceeds policy.max ${context.policy.max}` }]),
});

// v3: adds a jitter flag.
const v3 = defineVersion({
  version: 3,
  machine: setup({ types: { context: {} as V2Ctx & { jitter: boolean }, events: {} as Ev } }).createMachine({
    id: 'retry',
    initial: 'ok',
    context: { attempts: 0, policy: { max: 3, backoffMs: 100 }, jitter: false },
    states: { ok: { on: { FAIL: 'retrying' } }, retrying: { on: { RESET: 'ok' } }, exhausted: { on: { RESET: 'ok' } } },
  }),
});

const retry = lineage('retry-policy', v1)
  .next(v2, {
    description: 'maxAttempts → policy.max (+ backoffMs); gaveUp → exhausted',
    renamedStates: { gaveUp: 'exhausted' },
    up: ({ value, context }) => ({
      value: value === 'gaveUp' ? ('exhausted' as const) : value,
      context: { attempts: context.attempts, policy: { max: context.maxAttempts, backoffMs: 100 } },
    }),
    down: ({ value, context }) => ({
      value: value === 'exhausted' ? ('gaveUp' as const) : value,
      context: { attempts: context.attempts, maxAttempts: context.policy.max },
    }),
  })
  .next(v3, {
    up: ({ value, context }) => ({ value, context: { ...context, jitter: false } }),
    down: ({ value, context: { jitter: _jitter, ...context } }) => ({ value, context }),
  });

console.log(`lineage '${retry.name}': versions ${retry.versions.map((v) => `v${v.version}`).join(', ')}; links ${retry.links.map((l, i) => `v${i + 1}→v${i + 2}${l.down ? ' (reversible)' : ''}`).join(', ')}`);

// A real v1 snapshot: two failures, out of three allowed.
const actor = createActor(v1.machine).start();
actor.send({ type: 'FAIL' });
actor.send({ type: 'FAIL' });
actor.send({ type: 'FAIL' });
const persisted = actor.getPersistedSnapshot() as PersistedSnapshot;
actor.stop();
console.log(`v1 snapshot: state '${String(persisted.value)}', context ${JSON.stringify(persisted.context)}`);

const up = migrate(retry, persisted, { from: 1, to: 3 });
if (!up.ok) throw new Error(formatBlockers(up.blockers));
console.log(`migrate v1 → v3 (path ${up.path.map((l) => `v${l.from}→v${l.to}`).join(', ')}): state '${String(up.snapshot.value)}', context ${JSON.stringify(up.snapshot.context)}`);
const down = migrate(retry, up.snapshot, { from: 3, to: 2 });
if (!down.ok) throw new Error(formatBlockers(down.blockers));
console.log(`migrate v3 → v2 (down): state '${String(down.snapshot.value)}', context ${JSON.stringify(down.snapshot.context)}`);
console.log(`the result is frozen: ${Object.isFrozen(up.snapshot.context)}`);
console.log('');

// A broken v1 → v2 link: forgets backoffMs and does not map gaveUp.
const broken = lineage('retry-policy', v1).next(v2, {
  up: ({ value, context }) => ({
    value: value as never, // 'gaveUp' passes through unmapped
    context: { attempts: context.attempts, policy: { max: context.maxAttempts, backoffMs: undefined as unknown as number } },
  }),
});
const refused = migrate(broken, persisted, { from: 1, to: 2 });
if (refused.ok) throw new Error('expected the broken link to be refused');
console.log(formatBlockers(refused.blockers, { component: broken.name, from: 1, to: 2, action: 'migrate' }));
console.log(`blocker kinds: ${refused.blockers.map((b) => b.kind).join(', ')}`);
console.log('');

// A total, well-mapped link that still breaks v2's invariant: it halves the limit below the count.
const halved = lineage('retry-policy', v1).next(v2, {
  up: ({ value, context }) => ({
    value: value === 'gaveUp' ? ('exhausted' as const) : value,
    context: { attempts: context.attempts, policy: { max: Math.floor(context.maxAttempts / 2), backoffMs: 100 } },
  }),
});
const violated = migrate(halved, persisted, { from: 1, to: 2 });
if (violated.ok) throw new Error('expected the invariant to refuse the migration');
console.log(formatBlockers(violated.blockers, { component: halved.name, from: 1, to: 2, action: 'migrate' }));
console.log(`blocker kinds: ${violated.blockers.map((b) => b.kind).join(', ')}`);
