/**
 * A simulated disk's driver as a state machine, in two versions. Requests are queued and served one
 * at a time; each completes by an "interrupt": a runtime timer (`startTimer`) armed for the request's
 * service time whose firing a handler turns into an `IRQ` event. Timers target handlers by name, so a
 * swap can carry a pending interrupt to the new version — if the new version still has that handler.
 *
 * v1: handler `irqComplete`, completed ids in `completed`.
 * v2: renames the handler to `onInterrupt` and keeps a per-request record (`done`: id → completion
 *     time). `driverV2Renamed` is v2 as first written (no `irqComplete`: an interrupt armed by v1
 *     has nowhere to go); `driverV2` also keeps `irqComplete` for interrupts already in flight.
 */
import { assign, setup } from 'xstate';
import { defineVersion, lineage, startTimer, type StateOf } from '../../src/index.ts';

export interface DiskRequest {
  readonly id: number;
  readonly sector: number;
}
export type DriverEvent = { type: 'SUBMIT'; request: DiskRequest } | { type: 'IRQ'; id: number; at: number };

/** Simulated service time of a request (ms): seek plus rotation, by sector. */
export const serviceMs = (sector: number): number => 4 + (sector % 7);

export interface V1Context {
  queue: DiskRequest[];
  busy: DiskRequest | null;
  completed: number[];
}
export interface V2Context {
  queue: DiskRequest[];
  busy: DiskRequest | null;
  /** id → simulated time the interrupt arrived. */
  done: Record<string, number>;
}

/** The scheduler borrows the driver's state to order its queue. */
const handles = { DriverState: { resource: ({ context }: { context: { queue: DiskRequest[] } }) => ({ queued: context.queue.length }) } };
type Guarded<C> = { context: C };

const machine = <C extends V1Context | V2Context>(handler: string, complete: (c: C, id: number, at: number) => Partial<C>, initial: C) =>
  setup({
    types: { context: {} as C, events: {} as DriverEvent },
    actions: {
      arm: startTimer('interrupt', {
        delay: ({ context }: Guarded<unknown>) => serviceMs((context as C).busy!.sector),
        handler,
        payload: ({ context }: Guarded<unknown>) => (context as C).busy!.id,
      }),
    },
  }).createMachine({
    id: 'disk-driver',
    context: initial,
    on: {
      SUBMIT: [
        { guard: ({ context }: Guarded<C>) => context.busy === null, actions: [assign(({ event }) => ({ busy: event.request }) as Partial<C>), 'arm'] },
        { actions: assign(({ context, event }) => ({ queue: [...context.queue, event.request] }) as Partial<C>) },
      ],
      IRQ: [
        {
          guard: ({ context }: Guarded<C>) => context.queue.length > 0,
          actions: [assign(({ context, event }) => ({ ...complete(context, event.id, event.at), busy: context.queue[0]!, queue: context.queue.slice(1) }) as Partial<C>), 'arm'],
        },
        { actions: assign(({ context, event }) => ({ ...complete(context, event.id, event.at), busy: null }) as Partial<C>) },
      ],
    },
  });

const v1Machine = machine<V1Context>('irqComplete', (c, id) => ({ completed: [...c.completed, id] }), { queue: [], busy: null, completed: [] });
const v2Machine = machine<V2Context>('onInterrupt', (c, id, at) => ({ done: { ...c.done, [id]: at } }), { queue: [], busy: null, done: {} });

/** The simulation's clock, read by the handlers to stamp an interrupt. */
export const simClock = { now: (): number => 0 };
const irq = (id: unknown) => ({ type: 'IRQ' as const, id: id as number, at: simClock.now() });

export const driverV1 = defineVersion({ version: 1, machine: v1Machine, handles, handlers: { irqComplete: irq }, description: 'completed ids in a list' });
export const driverV2Renamed = defineVersion({ version: 2, machine: v2Machine, handles, handlers: { onInterrupt: irq }, description: 'per-request records; handler renamed' });
export const driverV2 = defineVersion({ version: 2, machine: v2Machine, handles, handlers: { onInterrupt: irq, irqComplete: irq }, description: 'per-request records; the old handler kept for interrupts in flight' });

// completions before the upgrade have no recorded time: -1
const link = {
  up: ({ value, context: { completed, ...rest } }: StateOf<typeof driverV1>): StateOf<typeof driverV2> => ({ value, context: { ...rest, done: Object.fromEntries(completed.map((id) => [id, -1])) } }),
  down: ({ value, context: { done, ...rest } }: StateOf<typeof driverV2>): StateOf<typeof driverV1> => ({ value, context: { ...rest, completed: Object.keys(done).map(Number) } }),
};

export const driverBase = lineage('disk-driver', driverV1);
export const driverRenamed = driverBase.next(driverV2Renamed, link);
export const driverFixed = driverBase.next(driverV2, link);
