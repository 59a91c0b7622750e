/**
 * A logging lineage with versions that fail after their commit, for the swap-safety property with
 * probation (test/swap/swap-safety.property.test.ts): every version appends `ADD { n }`'s `n` to
 * `context.log`, so the surviving version's log says which accepted events took effect, how often and
 * in which order.
 *
 * - v1, v2 (adds `seen`): sound.
 * - v3: its action throws on `ADD 13` — the actor errors.
 * - v4: its invariant refuses a log ending in 14 — fails on a live state (and refuses a swap into one).
 * - Any version is unhealthy to {@link health} when its log ends in 15.
 * Every link keeps the log (v2 → v1 drops `seen`), so a swap in either direction carries it.
 */
import { assign, setup } from 'xstate';
import { defineVersion, lineage } from '../../../src/index.ts';

export type LogEvent = { type: 'ADD'; n: number };
type C1 = { log: number[] };
type C2 = { log: number[]; seen: number };

/** The `n` that make a failing version fail: 13 (v3's actor error), 14 (v4's invariant), 15 (health). */
export const TRIGGERS = [13, 14, 15] as const;
/** The versions that fail on their trigger (not counting `health`, which judges every version). */
export const FAILING = new Set([3, 4]);

function machine<C extends C1>(context: C, extra: (c: C) => Partial<C>, throwsOn?: number) {
  return setup({ types: { context: {} as C, events: {} as LogEvent } }).createMachine({
    id: 'log',
    initial: 'on',
    context,
    states: {
      on: {
        on: {
          ADD: {
            actions: [
              ({ event }) => {
                if (event.n === throwsOn) throw new Error(`v3 cannot take ${throwsOn}`);
              },
              assign(({ context, event }) => ({ ...extra(context), log: [...context.log, event.n] }) as Partial<C>),
            ],
          },
        },
      },
    },
  });
}

const v1 = defineVersion({ version: 1, machine: machine<C1>({ log: [] }, () => ({})) });
const seen = (c: C2): Partial<C2> => ({ seen: c.seen + 1 });
const v2 = defineVersion({ version: 2, machine: machine<C2>({ log: [], seen: 0 }, seen) });
const v3 = defineVersion({ version: 3, machine: machine<C2>({ log: [], seen: 0 }, seen, 13) });
const v4 = defineVersion({
  version: 4,
  machine: machine<C2>({ log: [], seen: 0 }, seen),
  invariant: ({ context }: { context: C2 }) => (context.log.at(-1) === 14 ? [{ path: 'context.log', message: 'v4 cannot end on 14' }] : []),
});

const same = { up: (s: { value: any; context: C2 }) => s, down: (s: { value: any; context: C2 }) => s };
export const failing = lineage('log', v1)
  .next(v2, { up: ({ value, context }) => ({ value, context: { ...context, seen: 0 } }), down: ({ value, context: { seen: _, ...context } }) => ({ value, context }) })
  .next(v3, same)
  .next(v4, same);

/** The caller's health check of every probation in the property. */
export const health = ({ context }: { context: unknown }): string | undefined => ((context as C1).log.at(-1) === 15 ? 'the last entry is 15' : undefined);
