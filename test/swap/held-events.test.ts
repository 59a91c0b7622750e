/**
 * Events held in the mailbox during a swap: the new version must accept each of them (or the swap is
 * refused), and events an action sends while they are delivered queue behind them (G1, G5).
 * (Buffering, MAILBOX_FULL and delivery on refusal are in policies.test.ts, `describe('events during a swap')`.)
 */
import { describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { createRuntime, defineVersion, lineage, ManualClock, type LiveComponent } from '../../src/index.ts';
import { flush } from '../_support/async.ts';

// Provenance: first review of the coordinator.
describe('held events the new version would ignore', () => {
  it('refuse the swap, naming the event and how many are held (G1, G5)', async () => {
    const clock = new ManualClock();
    const v1m = setup({ types: { context: {} as { n: number }, events: {} as { type: 'A' } | { type: 'B' } } }).createMachine({
      id: 'h',
      context: { n: 0 },
      initial: 'busy',
      states: { busy: { after: { 50: 'idle' }, on: { A: { actions: assign({ n: ({ context }) => context.n + 1 }) } } }, idle: { tags: ['swappable'], on: { A: {}, B: {} } } },
    });
    const v2m = setup({ types: { context: {} as { n: number }, events: {} as { type: 'A' } } }).createMachine({
      id: 'h',
      context: { n: 0 },
      initial: 'idle',
      states: { busy: { after: { 50: 'idle' } }, idle: { on: { A: {} } } },
    });
    const l = lineage('h', defineVersion({ version: 1, machine: v1m, swapTag: 'swappable' })).next(defineVersion({ version: 2, machine: v2m }), { up: (s) => s as never });
    const c = createRuntime({ clock }).start(l, { version: 1 });
    const swap = c.swap(2);
    await flush();
    c.send({ type: 'B' });
    c.send({ type: 'B' });
    clock.advance(50);
    const report = await swap;
    expect(report.blockers.map((b) => b.message)).toEqual(["2 held 'B' events would go to v2, which does not accept 'B'"]);
    expect(c.version).toBe(1);
  });
});

// Provenance: XState's machine.events leaves out inert transitions (`on: { B: {} }`), read as "not accepted".
describe('held events the new version accepts as an explicit no-op', () => {
  it('do not stand against the swap: an inert transition (`B: {}`) accepts B on purpose (G1)', async () => {
    const clock = new ManualClock();
    const v1m = setup({ types: { context: {} as { n: number }, events: {} as { type: 'A' } | { type: 'B' } } }).createMachine({
      id: 'h',
      context: { n: 0 },
      initial: 'busy',
      states: { busy: { after: { 50: 'idle' } }, idle: { tags: ['swappable'], on: { A: { actions: assign({ n: ({ context }) => context.n + 1 }) }, B: {} } } },
    });
    const v2m = setup({ types: { context: {} as { n: number }, events: {} as { type: 'A' } | { type: 'B' } } }).createMachine({
      id: 'h',
      context: { n: 0 },
      initial: 'idle',
      states: { busy: { after: { 50: 'idle' } }, idle: { on: { A: { actions: assign({ n: ({ context }) => context.n + 10 }) }, B: {} } } },
    });
    expect(v2m.events).not.toContain('B'); // the premise: XState itself omits it
    const l = lineage('h', defineVersion({ version: 1, machine: v1m, swapTag: 'swappable' })).next(defineVersion({ version: 2, machine: v2m }), { up: (s) => s as never });
    const c = createRuntime({ clock }).start(l, { version: 1 });
    const swap = c.swap(2);
    await flush();
    c.send({ type: 'B' });
    c.send({ type: 'A' });
    clock.advance(50);
    const report = await swap;
    expect(report.blockers).toEqual([]);
    expect(report.outcome).toBe('committed');
    expect(c.getSnapshot().context.n).toBe(10);
  });
});

// Provenance: second review of the coordinator.
describe('sends from inside actions while held events are delivered', () => {
  it('are queued behind them, never refused: the new version does not die of MAILBOX_FULL (G1)', async () => {
    const clock = new ManualClock();
    const ref: { self?: LiveComponent } = {};
    const machine = (v: number) =>
      setup({ types: { context: {} as { log: string[] }, events: {} as { type: 'E'; n: number } | { type: 'F'; n: number } } }).createMachine({
        id: 'd',
        context: { log: [] },
        initial: 'busy',
        states: {
          busy: { after: { 10: 'idle' }, on: { E: { actions: [assign({ log: ({ context, event }) => [...context.log, `v${v}:E${event.n}`] }), ({ event }) => ref.self?.send({ type: 'F', n: event.n })] }, F: { actions: assign({ log: ({ context, event }) => [...context.log, `v${v}:F${event.n}`] }) } } },
          idle: {
            tags: ['swappable'],
            on: {
              E: { actions: [assign({ log: ({ context, event }) => [...context.log, `v${v}:E${event.n}`] }), ({ event }) => ref.self?.send({ type: 'F', n: event.n })] },
              F: { actions: assign({ log: ({ context, event }) => [...context.log, `v${v}:F${event.n}`] }) },
            },
          },
        },
      });
    const l = lineage('d', defineVersion({ version: 1, machine: machine(1), swapTag: 'swappable' })).next(defineVersion({ version: 2, machine: machine(2) }), { up: (s) => s });
    const c = createRuntime({ clock, mailboxCapacity: 2 }).start(l, { version: 1 });
    ref.self = c;
    const swap = c.swap(2);
    await flush();
    c.send({ type: 'E', n: 1 });
    c.send({ type: 'E', n: 2 });
    clock.advance(10);
    const report = await swap;
    expect(report.outcome).toBe('committed');
    expect(c.status).toBe('running');
    expect(c.getSnapshot().context.log).toEqual(['v2:E1', 'v2:E2', 'v2:F1', 'v2:F2']);
  });
});
