/**
 * Regressions from the second review of the coordinator: each was a reproduced defect.
 */
import { describe, expect, it } from 'vitest';
import { assign, fromCallback, setup } from 'xstate';
import { createRuntime, defineVersion, lineage, ManualClock, startTimer, type LiveComponent } from '../../src/index.ts';
import { flush } from '../_support/async.ts';
import { makeLoader } from '../fixtures/loader.ts';

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

describe('adopted promises', () => {
  it('belong to the new child: when it stops, the promise is aborted and its late result recorded (G4)', async () => {
    const { loader, calls } = makeLoader();
    const c = createRuntime().start(loader, { version: 1 });
    c.send({ type: 'LOAD', url: 'a' });
    await c.swap(2, { policies: { promises: 'adopt' } });
    expect(calls[0]!.signal.aborted).toBe(false);
    await c.stop(); // stops v2's fetch child, which now owns the adopted request
    expect(calls[0]!.signal.aborted).toBe(true);
    calls[0]!.resolve('LATE');
    await flush();
    expect(c.late).toMatchObject([{ id: 'fetch', src: 'fetchData', outcome: 'resolved' }]);
  });
});

describe('a refused swap leaves no trace of the new version', () => {
  it('timers the new actor started while installing are dropped when a sibling refuses (swapAll, G2)', async () => {
    const clock = new ManualClock();
    const armer = (v: number, arms: boolean) =>
      setup({
        actors: { arm: fromCallback(({ sendBack }) => { if (arms) sendBack({ type: 'ARM' }); }) },
        actions: { armTimer: startTimer('t', { delay: v === 1 ? 1000 : 5 }) },
      }).createMachine({ id: 'a', invoke: { id: 'arm', src: 'arm' }, initial: 'on', entry: 'armTimer', states: { on: { on: { ARM: { actions: 'armTimer' } } } } });
    const a = lineage('a', defineVersion({ version: 1, machine: armer(1, false), handlers: { t: () => ({ type: 'X' }) } })).next(
      defineVersion({ version: 2, machine: armer(2, true), handlers: { t: () => ({ type: 'X' }) } }),
      { up: (s) => s },
    );
    const runtime = createRuntime({ clock });
    const ca = runtime.start(a, { version: 1 });
    const { loader } = makeLoader({ v3FailingListener: true });
    const cb = runtime.start(loader, { version: 2 });
    expect(ca.ledger().timers).toMatchObject([{ name: 't', delayMs: 1000 }]);
    const all = await runtime.swapAll([{ component: ca, target: 2 }, { component: cb, target: 3 }]);
    expect(all.outcome).toBe('refused');
    expect(ca.version).toBe(1);
    expect(ca.ledger().timers).toMatchObject([{ name: 't', delayMs: 1000, remainingMs: 1000 }]);
  });
});

describe('runtime.start refusals start nothing', () => {
  it('a machine that arms a timer and then fails on start leaves no timer behind', () => {
    const clock = new ManualClock();
    const m = setup({ actions: { arm: startTimer('t', { delay: 5 }), boom: () => { throw new Error('entry boom'); } } }).createMachine({ id: 'f', entry: ['arm', 'boom'] });
    const l = lineage('f', defineVersion({ version: 1, machine: m, handlers: { t: () => ({ type: 'X' }) } }));
    expect(() => createRuntime({ clock }).start(l)).toThrowError(expect.objectContaining({ code: 'START_REFUSED' }));
    expect(clock.pending).toBe(0);
    expect(() => clock.advance(10)).not.toThrow();
  });

  it('delayed events without the snapshot that scheduled them are refused, not dropped (G5)', () => {
    const { loader } = makeLoader();
    expect(() =>
      createRuntime().start(loader, { version: 1, timers: [{ kind: 'delay', id: 'xstate.after.1000.loader.ready', event: { type: 'xstate.after.1000.loader.ready' }, delayMs: 1000, remainingMs: 5 }] }),
    ).toThrowError(expect.objectContaining({ code: 'START_REFUSED', message: expect.stringContaining('needs the snapshot that scheduled it') }));
  });
});

describe('start from an envelope', () => {
  it('refuses `envelope: undefined` (a failed load passed on) instead of starting fresh', () => {
    const { loader } = makeLoader();
    expect(() => createRuntime().start(loader, { envelope: undefined })).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('after transitions with nothing pending', () => {
  const plain = setup({}).createMachine({ id: 'g', initial: 'a', states: { a: { tags: ['x'] } , b: {} } });
  const withAfter = setup({ guards: { never: () => false } }).createMachine({
    id: 'g',
    initial: 'a',
    states: { a: { after: { 100: { target: 'b', guard: 'never' } } }, b: {} },
  });

  it('a delay that already fired in the old version (guarded, still in the state) is nothing to carry: the swap commits', async () => {
    const clock = new ManualClock();
    const l = lineage('g', defineVersion({ version: 1, machine: withAfter })).next(defineVersion({ version: 2, machine: withAfter }), { up: (s) => s });
    const c = createRuntime({ clock }).start(l, { version: 1 });
    clock.advance(100); // fired, guard false: still in `a`, nothing pending
    expect(c.ledger().delays).toEqual([]);
    expect((await c.swap(2)).outcome).toBe('committed');
  });

  it('a delay the new version adds is a blocker under carry, and armed in full under restart (G5)', async () => {
    const clock = new ManualClock();
    const l = lineage('g', defineVersion({ version: 1, machine: plain })).next(defineVersion({ version: 2, machine: withAfter }), { up: (s) => s as never });
    const c = createRuntime({ clock }).start(l, { version: 1 });
    const refused = await c.swap(2);
    expect(refused.blockers.map((b) => b.kind)).toEqual(['unarmed-delay']);
    const committed = await c.swap(2, { policies: { delays: 'restart' } });
    expect(committed.outcome).toBe('committed');
    expect(c.ledger().delays).toMatchObject([{ id: 'xstate.after.100.g.a', remainingMs: 100 }]);
  });
});

describe('swap(versionObject)', () => {
  it('refuses a version object that is not this lineage’s version of that number', async () => {
    const { loader } = makeLoader();
    const other = makeLoader();
    const c = createRuntime().start(loader, { version: 1 });
    const report = await c.swap(other.v2);
    expect(report.outcome).toBe('refused');
    expect(report.blockers[0]!.message).toContain("is not v2 of lineage 'loader'");
    expect((await c.swap(loader.versions[1])).outcome).toBe('committed');
  });
});

describe('timer delays Node cannot keep', () => {
  it('are refused by runtime.start before anything starts, by the rule startTimer uses', () => {
    const clock = new ManualClock();
    const { loader } = makeLoader();
    expect(() =>
      createRuntime({ clock }).start(loader, { version: 1, timers: [{ kind: 'timer', id: 'refresh', handler: 'refresh', payload: 'a', delayMs: 2 ** 31, remainingMs: 2 ** 31 }] }),
    ).toThrowError(expect.objectContaining({ code: 'START_REFUSED', message: expect.stringContaining('must be from 0 to 2147483647 ms') }));
    expect(clock.pending).toBe(0);
  });
});
