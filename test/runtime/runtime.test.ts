/**
 * The runtime's own promises around runtime timers, status and start refusals: a hold is bounded by
 * the mailbox's capacity, a handler's bad return value stops nothing silently, and what the
 * component says (`status`, START_REFUSED) matches what it does.
 */
import { assign, fromPromise, setup } from 'xstate';
import { describe, expect, it } from 'vitest';
import { createRuntime, defineVersion, type HotswapError, lineage, ManualClock, startTimer } from '../../src/index.ts';
import { flush } from '../_support/async.ts';

type TickerEvent = { type: 'TICK'; name: string } | { type: 'PING' };

/**
 * A ticker whose state `on` arms two runtime timers (t1 in 10 ms, t2 in 20 ms) through handler `tick`
 * and invokes a promise the test settles (`release()`), so a swap under policy `wait` is held until then.
 */
function ticker(options: { v1Tick?: (name: string) => unknown; v2Handlers?: boolean } = {}) {
  const pending: (() => void)[] = [];
  const machine = (v: number) =>
    setup({
      types: { context: {} as { log: string[] }, events: {} as TickerEvent },
      actors: { work: fromPromise(() => new Promise<void>((resolve) => pending.push(resolve))) },
      actions: {
        arm1: startTimer('t1', { delay: 10, handler: 'tick', payload: 't1' }),
        arm2: startTimer('t2', { delay: 20, handler: 'tick', payload: 't2' }),
      },
    }).createMachine({
      id: 'ticker',
      initial: 'on',
      context: { log: [] },
      states: {
        on: {
          entry: ['arm1', 'arm2'],
          invoke: { id: 'job', src: 'work' },
          on: {
            TICK: { actions: assign({ log: ({ context, event }) => [...context.log, `v${v}:${event.name}`] }) },
            PING: { actions: assign({ log: ({ context }) => [...context.log, `v${v}:ping`] }) },
          },
        },
      },
    });
  const tick = (name: string) => ({ type: 'TICK' as const, name });
  const v1 = defineVersion({ version: 1, machine: machine(1), handlers: { tick: (options.v1Tick ?? tick) as typeof tick } });
  const v2 = defineVersion({ version: 2, machine: machine(2), ...(options.v2Handlers === false ? {} : { handlers: { tick } }) });
  const l = lineage('ticker', v1).next(v2, { up: (s) => s, down: (s) => s });
  return { l, release: () => pending.splice(0).forEach((r) => r()) };
}

describe('runtime timers during a swap', () => {
  it('holds at most mailboxCapacity events: a timer firing on a full mailbox fires after the hold, in order', async () => {
    const clock = new ManualClock();
    const { l, release } = ticker();
    const c = createRuntime({ clock, mailboxCapacity: 1 }).start(l, { version: 1 });
    const swap = c.swap(2, { deadlineMs: 100 });
    await flush();
    expect(c.status).toBe('swapping');
    clock.advance(25); // t1 and t2 fire while the swap waits for `job`
    expect(c.held).toBe(1);
    expect(c.ledger().timers.map((t) => [t.name, t.remainingMs])).toEqual([['t2', 0]]);
    release();
    const report = await swap;
    expect(report).toMatchObject({ outcome: 'committed', held: 1, effects: { carried: ['t2'] } });
    // both reach the new version, t1 (held) before t2 (due during the hold), by v2's handler
    expect(c.getSnapshot().context.log).toEqual(['v2:t1', 'v2:t2']);
    expect(c.ledger().timers).toEqual([]);
  });

  it('a timer due during a refused swap fires to the old version once the hold ends', async () => {
    const clock = new ManualClock();
    const { l } = ticker();
    const c = createRuntime({ clock, mailboxCapacity: 1 }).start(l, { version: 1 });
    const swap = c.swap(2, { deadlineMs: 30 });
    await flush();
    clock.advance(30); // t1 held, t2 due on a full mailbox, then the deadline
    const report = await swap;
    expect(report).toMatchObject({ outcome: 'refused', phase: 'quiesce', held: 1 });
    expect(c.getSnapshot().context.log).toEqual(['v1:t1', 'v1:t2']);
  });
});

describe('runtime timer handlers', () => {
  it('a handler returning no event is reported to onError and the component serves on', () => {
    const clock = new ManualClock();
    const errors: unknown[] = [];
    const { l } = ticker({ v1Tick: (name) => (name === 't1' ? undefined : { type: 'TICK', name }) });
    const c = createRuntime({ clock, onError: (e) => errors.push(e) }).start(l, { version: 1 });
    clock.advance(20);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      name: 'HotswapError',
      code: 'INVALID_ARGUMENT',
      message: "Expected handler 'tick' of v1 to return an event `{ type }`, got `undefined` (undefined)",
    });
    expect(c.late).toEqual([expect.objectContaining({ id: 't1', src: 'timer:tick', outcome: 'rejected' })]);
    expect(c.status).toBe('running');
    c.send({ type: 'PING' });
    expect(c.getSnapshot().context.log).toEqual(['v1:t2', 'v1:ping']);
  });
});

describe('status', () => {
  it("reads 'running' while a swap plans (events still go straight through), 'swapping' once they are held", async () => {
    const { l, release } = ticker();
    const c = createRuntime({ clock: new ManualClock() }).start(l, { version: 1 });
    let answer!: (ok: boolean) => void;
    const swap = c.swap(2, { preconditions: { later: () => new Promise<boolean>((r) => (answer = r)) } });
    await flush();
    expect(c.status).toBe('running');
    c.send({ type: 'PING' });
    expect([c.held, c.getSnapshot().context.log]).toEqual([0, ['v1:ping']]);
    answer(true);
    await flush();
    expect(c.status).toBe('swapping');
    release();
    expect((await swap).outcome).toBe('committed');
    expect(c.status).toBe('running');
  });
});

describe('start refusals', () => {
  it('START_REFUSED from an envelope names the version that wrote it', () => {
    const { l } = ticker({ v2Handlers: false });
    const runtime = createRuntime({ clock: new ManualClock() });
    const envelope = runtime.start(l, { version: 1 }).persist();
    let error: HotswapError | undefined;
    try {
      runtime.start(l, { envelope, version: 2 });
    } catch (e) {
      error = e as HotswapError;
    }
    expect(error?.code).toBe('START_REFUSED');
    expect(error?.message.split('\n')[0]).toBe('start ticker v1 → v2 refused:');
  });
});
