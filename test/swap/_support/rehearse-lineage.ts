/**
 * A counter lineage for rehearsal, replay and probation tests: v1 adds 1 per INC; v2 adds `step`
 * (the link sets it to 1), so both agree — unless a test builds v2 with a bug or a bad link.
 */
import { assign, setup } from 'xstate';
import { type AnyLineage, defineVersion, lineage } from '../../../src/index.ts';

export type V1 = { n: number };
export type V2 = { n: number; step: number };
type Ev = { type: 'INC' } | { type: 'BOOM' } | { type: 'END' };

export const v1Machine = setup({ types: { context: {} as V1, events: {} as Ev } }).createMachine({
  id: 'c',
  initial: 'on',
  context: { n: 0 },
  states: { on: { on: { INC: { actions: assign({ n: ({ context }) => context.n + 1 }) }, BOOM: {}, END: {} } } },
});

/** v2, optionally with a bug from the `bugAt`-th count on (adds 2 there), or an action that throws on BOOM. */
export function v2Machine(bugAt = Infinity) {
  return setup({
    types: { context: {} as V2, events: {} as Ev },
    actions: {
      explode: () => {
        throw new Error('v2 cannot take BOOM');
      },
    },
  }).createMachine({
    id: 'c',
    initial: 'on',
    context: { n: 0, step: 1 },
    states: {
      on: {
        on: {
          INC: { actions: assign({ n: ({ context }) => context.n + context.step + (context.n + 1 >= bugAt ? 1 : 0) }) },
          BOOM: { actions: 'explode' },
          END: { target: 'done' },
        },
      },
      done: { type: 'final' },
    },
  });
}

/** Handlers for a runtime timer 'tick' (it sends INC). */
const tick = { tick: () => ({ type: 'INC' as const }) };

export const base = lineage('c', defineVersion({ version: 1, machine: v1Machine }));
/** v1 with a handler for the runtime timer 'tick', so a component can start with one pending. */
export const baseWithTick = lineage('c', defineVersion({ version: 1, machine: v1Machine, handlers: tick }));

export interface V2Options {
  readonly bugAt?: number;
  readonly up?: (s: { value: unknown; context: V1 }) => unknown;
  readonly invariant?: (s: { value: unknown; context: V2 }) => true | { path: string; message: string }[];
  /** The v1 lineage to extend. @defaultValue base */
  readonly from?: AnyLineage;
  /** v2 handles the runtime timer 'tick'. */
  readonly tick?: boolean;
}

/** The lineage v1 → v2, as a plugin would extend it at run time. */
export function withV2(o: V2Options = {}): AnyLineage {
  const version = defineVersion({
    version: 2,
    machine: v2Machine(o.bugAt),
    ...(o.invariant === undefined ? {} : { invariant: o.invariant as never }),
    ...(o.tick === true ? { handlers: tick } : {}),
  });
  const up = o.up ?? (({ value, context }: { value: unknown; context: V1 }) => ({ value, context: { ...context, step: 1 } }));
  return (o.from ?? base).extend({ from: 1, version, link: { up: up as never, down: (({ value, context }: { value: unknown; context: V2 }) => ({ value, context: { n: context.n } })) as never } });
}
