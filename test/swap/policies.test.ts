import { describe, expect, it } from 'vitest';
import { createRuntime, ManualClock, type Blocker } from '../../src/index.ts';
import { flush, isSettled } from '../_support/async.ts';
import { makeLoader } from '../fixtures/loader.ts';
import { driver, driverV1Machine, driverV2Machine, type DriverEvent } from '../fixtures/driver.ts';
import { setup as setupMachine } from 'xstate';
import { defineVersion, lineage } from '../../src/index.ts';

const kinds = (blockers: readonly Blocker[]) => blockers.map((b) => b.kind);

function setup(options: { v3FailingListener?: boolean } = {}) {
  const clock = new ManualClock();
  const runtime = createRuntime({ clock });
  const fixture = makeLoader(options);
  const c = runtime.start(fixture.loader, { version: 1 });
  return { clock, runtime, c, ...fixture };
}

describe('events during a swap', () => {
  it('buffers events sent during quiesce and delivers them to the new version, in order', async () => {
    const { c, calls, clock } = setup();
    c.send({ type: 'LOAD', url: 'a' });
    const swap = c.swap(2); // waits for the in-flight fetch (policy wait)
    await flush();
    c.send({ type: 'PING', seq: 1 });
    c.send({ type: 'PING', seq: 2 });
    expect(c.held).toBe(2);
    expect(c.status).toBe('swapping');
    calls[0]!.resolve('A');
    await flush();
    const report = await swap;
    expect(report.outcome).toBe('committed');
    expect(report.held).toBe(2);
    expect(c.version).toBe(2);
    expect(c.getSnapshot().context.log).toEqual(['v1:done:A', 'v2:ping:1', 'v2:ping:2']);
    clock.advance(0);
  });

  it('refuses a send on a full mailbox with MAILBOX_FULL and loses none of the accepted ones', async () => {
    const clock = new ManualClock();
    const runtime = createRuntime({ clock, mailboxCapacity: 2 });
    const { loader, calls } = makeLoader();
    const c = runtime.start(loader, { version: 1 });
    c.send({ type: 'LOAD', url: 'a' });
    const swap = c.swap(2);
    await flush();
    c.send({ type: 'PING', seq: 1 });
    c.send({ type: 'PING', seq: 2 });
    expect(() => c.send({ type: 'PING', seq: 3 })).toThrowError(expect.objectContaining({ code: 'MAILBOX_FULL' }));
    expect(c.trySend({ type: 'PING', seq: 4 })).toMatchObject({ ok: false, error: { code: 'MAILBOX_FULL' } });
    calls[0]!.resolve('A');
    await swap;
    expect(c.getSnapshot().context.log).toEqual(['v1:done:A', 'v2:ping:1', 'v2:ping:2']);
  });

  it('delivers held events to the old version when the swap is refused', async () => {
    const { c, clock } = setup();
    c.send({ type: 'LOAD', url: 'a' });
    const swap = c.swap(2, { deadlineMs: 100 });
    await flush();
    c.send({ type: 'PING', seq: 1 });
    clock.advance(100);
    const report = await swap;
    expect(report.outcome).toBe('refused');
    expect(report.phase).toBe('quiesce');
    expect(kinds(report.blockers)).toEqual(['quiesce-timeout', 'in-flight']);
    expect(c.version).toBe(1);
    expect(c.getSnapshot().context.log).toEqual(['v1:ping:1']);
  });
});

describe('XState delayed events (after)', () => {
  it('carries a pending delay with its remaining time, re-armed from the new definition', async () => {
    const { c, clock, calls } = setup();
    c.send({ type: 'LOAD', url: 'a' });
    calls[0]!.resolve('A');
    await flush();
    clock.advance(400); // ready's `after 1000` has 600 ms left
    const report = await c.swap(2, { policies: { timers: 'cancel' } });
    expect(report.outcome).toBe('committed');
    expect(report.effects.carried).toContain('xstate.after.1000.loader.ready');
    expect(c.ledger().delays).toMatchObject([{ id: 'xstate.after.1000.loader.ready', remainingMs: 600 }]);
    clock.advance(599);
    expect(c.getSnapshot().value).toBe('ready');
    clock.advance(1);
    expect(c.getSnapshot().value).toBe('stale');
    expect(c.getSnapshot().context.log).toEqual(['v1:done:A', 'v2:stale']);
  });

  it('restarts the full delay with policy restart, and drops it with policy cancel', async () => {
    for (const [policy, expected] of [['restart', 1000], ['cancel', undefined]] as const) {
      const { c, clock, calls } = setup();
      c.send({ type: 'LOAD', url: 'a' });
      calls[0]!.resolve('A');
      await flush();
      clock.advance(400);
      const report = await c.swap(2, { policies: { delays: policy, timers: 'cancel' } });
      expect(report.outcome).toBe('committed');
      expect(c.ledger().delays[0]?.remainingMs).toBe(expected);
      if (policy === 'cancel') expect(report.effects.cancelled).toContain('xstate.after.1000.loader.ready');
    }
  });

  it('refuses a pending delay whose state the new version no longer declares (G5), keeping the old deadline (G2)', async () => {
    const clock = new ManualClock();
    const runtime = createRuntime({ clock });
    const c = runtime.start(driver, { version: 2 });
    c.send({ type: 'ENQUEUE', id: 'a' });
    c.send({ type: 'START' });
    clock.advance(30);
    const before = c.getSnapshot();
    // down to v1 without renamedStates would lose 'working'; v2 → v1 maps working → busy, so use v3's lineage shape:
    const report = await c.swap(1, { policies: { delays: 'block' } });
    expect(report.outcome).toBe('refused');
    expect(kinds(report.blockers)).toContain('pending-delay');
    expect(c.getSnapshot()).toBe(before);
    expect(c.ledger().delays).toMatchObject([{ id: 'xstate.after.100.driver.working', remainingMs: 70 }]);
    clock.advance(70);
    expect(c.getSnapshot().value).toBe('idle');
  });
});

describe('runtime timers', () => {
  it('carries a runtime timer; when it fires, the new version’s handler runs (G4)', async () => {
    const { c, clock, calls } = setup();
    c.send({ type: 'LOAD', url: 'a' });
    calls[0]!.resolve('A');
    await flush();
    clock.advance(200);
    expect(c.ledger().timers).toMatchObject([{ name: 'refresh', handler: 'refresh', remainingMs: 300 }]);
    const report = await c.swap(2);
    expect(report.effects.carried).toContain('refresh');
    clock.advance(300);
    expect(c.getSnapshot().value).toBe('loading');
    expect(calls.at(-1)).toMatchObject({ version: 2, url: 'a#refresh-by-v2' });
  });

  it('refuses a timer whose handler the new version does not define, unless the caller cancels it', async () => {
    const { c, clock, calls } = setup();
    c.send({ type: 'LOAD', url: 'a' });
    calls[0]!.resolve('A');
    await flush();
    const refused = await c.swap(3);
    expect(refused.outcome).toBe('refused');
    expect(refused.phase).toBe('drain');
    expect(refused.blockers[0]).toMatchObject({ kind: 'pending-timer', name: 'refresh', handler: 'refresh', remainingMs: 500 });
    expect(refused.blockers[0]!.message).toBe("pending timer 'refresh' (fires in 500 ms) targets handler 'refresh': v3 defines no handler 'refresh'");
    const cancelled = await c.swap(3, { policies: { timers: 'cancel' } });
    expect(cancelled.outcome).toBe('committed');
    expect(cancelled.effects.cancelled).toContain('refresh');
    clock.advance(10_000);
    expect(c.getSnapshot().value).toBe('stale');
    expect(calls).toHaveLength(1);
  });
});

describe('in-flight promises', () => {
  it('waits (default) until the promise settles, then swaps', async () => {
    const { c, calls, clock } = setup();
    c.send({ type: 'LOAD', url: 'a' });
    const swap = c.swap(2);
    clock.advance(50);
    expect(await isSettled(swap)).toBe(false);
    calls[0]!.resolve('A');
    const report = await swap;
    expect(report.outcome).toBe('committed');
    expect(c.getSnapshot().value).toBe('ready');
    expect(calls).toHaveLength(1);
  });

  it('aborts the old promise and lets the new version invoke it afresh; the late result is recorded, not delivered', async () => {
    const { c, calls } = setup();
    c.send({ type: 'LOAD', url: 'a' });
    const report = await c.swap(2, { policies: { promises: 'abort' } });
    expect(report.outcome).toBe('committed');
    expect(report.effects.aborted).toEqual(['fetch']);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(calls[1]).toMatchObject({ version: 2, url: 'a' });
    calls[0]!.resolve('OLD');
    await flush();
    expect(c.late).toMatchObject([{ id: 'fetch', src: 'fetchData', version: 1, outcome: 'resolved' }]);
    expect(c.getSnapshot().value).toBe('loading');
    calls[1]!.resolve('NEW');
    await flush();
    expect(c.getSnapshot().context.log).toEqual(['v2:done:NEW']);
  });

  it('adopts the in-flight promise: not started again, its result goes to the new version', async () => {
    const { c, calls } = setup();
    c.send({ type: 'LOAD', url: 'a' });
    const report = await c.swap(2, { policies: { promises: 'adopt' } });
    expect(report.effects.adopted).toEqual(['fetch']);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.signal.aborted).toBe(false);
    calls[0]!.resolve('A');
    await flush();
    expect(c.getSnapshot().context.log).toEqual(['v2:done:A']);
    expect(c.late).toEqual([]);
  });
});

describe('leases', () => {
  it('waits for a non-transferable lease to be released', async () => {
    const { c } = setup();
    const lease = c.borrow('socket', 'scheduler queue');
    const swap = c.swap(2);
    expect(await isSettled(swap)).toBe(false);
    lease.release();
    expect((await swap).outcome).toBe('committed');
  });

  it('refuses at once with policy block, naming the handle and holder', async () => {
    const { c, clock } = setup();
    c.borrow('socket', 'scheduler queue');
    clock.advance(1200);
    const report = await c.swap(2, { policies: { leases: 'block' } });
    expect(report.outcome).toBe('refused');
    expect(report.blockers[0]!.message).toBe("outstanding borrow of 'socket' held by 'scheduler queue' for 1.2 s; policy: block");
  });

  it('revokes a lease still held at the deadline with policy revoke, then swaps', async () => {
    const { c, clock } = setup();
    const lease = c.borrow('socket', 'scheduler queue');
    const swap = c.swap(2, { policies: { leases: 'revoke' }, deadlineMs: 100 });
    await flush();
    clock.advance(100);
    const report = await swap;
    expect(report.outcome).toBe('committed');
    expect(report.effects.revoked).toEqual(['socket']);
    expect(lease.state).toBe('revoked');
    expect(lease.signal.aborted).toBe(true);
    expect(() => lease.get()).toThrowError(expect.objectContaining({ code: 'LEASE_REVOKED' }));
  });

  it('transfers a transferable lease: it survives the swap and reads the new version’s resource', async () => {
    const { c, calls } = setup();
    c.send({ type: 'LOAD', url: 'a' });
    calls[0]!.resolve('A');
    await flush();
    const lease = c.borrow('cache', 'http handler');
    expect(lease.get()).toBe('v1:A');
    const report = await c.swap(2);
    expect(report.effects.transferred).toEqual(['cache']);
    expect(lease.state).toBe('held');
    expect(lease.get()).toBe('v2:A');
  });

  it('refuses to lend a handle the version does not declare', () => {
    const { c } = setup();
    expect(() => c.borrow('nope', 'x')).toThrowError(expect.objectContaining({ code: 'BORROW_REFUSED' }));
  });
});

describe('plan', () => {
  it('refuses on a failing precondition before anything pauses', async () => {
    const { c } = setup();
    const report = await c.swap(2, {
      preconditions: { 'disk has room': () => 'only 2 MB free', 'queue drained': async () => true },
    });
    expect(report.outcome).toBe('refused');
    expect(report.phase).toBe('plan');
    expect(report.pauseUs).toBe(0);
    expect(report.blockers.map((b) => b.message)).toEqual(["precondition 'disk has room' failed: only 2 MB free"]);
  });

  it('runs preconditions against the live state', async () => {
    const { c } = setup();
    c.send({ type: 'RESET' });
    let seen: unknown;
    const report = await c.swap(2, { preconditions: { idle: ({ state }) => ((seen = state.value), state.value === 'idle') } });
    expect(seen).toBe('idle');
    expect(report.outcome).toBe('committed');
  });

  it('refuses a second concurrent swap with swap-in-progress', async () => {
    const { c, calls } = setup();
    c.send({ type: 'LOAD', url: 'a' });
    const first = c.swap(2);
    const second = await c.swap(3);
    expect(second.blockers[0]).toMatchObject({ kind: 'swap-in-progress', target: 2 });
    calls[0]!.resolve('A');
    expect((await first).outcome).toBe('committed');
  });

  it('refuses unknown and same versions', async () => {
    const { c } = setup();
    expect(kinds((await c.swap(9)).blockers)).toEqual(['unknown-version']);
    expect(kinds((await c.swap(1)).blockers)).toEqual(['same-version']);
  });
});

describe('swap points', () => {
  it('waits for a state tagged as swap point, and names the state at the deadline', async () => {
    const clock = new ManualClock();
    const runtime = createRuntime({ clock });
    const c = runtime.start(tagged, { version: 1 });
    c.send({ type: 'ENQUEUE', id: 'a' });
    c.send({ type: 'START' });
    const p1 = c.swap(2, { deadlineMs: 50 });
    await flush();
    clock.advance(50);
    const refused = await p1;
    expect(refused.outcome).toBe('refused');
    expect(refused.blockers.map((b) => b.message)).toEqual([
      'not quiescent after 50 ms of runtime-clock time',
      `state '"busy"' is not a swap point (needs tag 'swappable')`,
    ]);
    const p2 = c.swap(2, { deadlineMs: 500 });
    await flush();
    clock.advance(50); // busy → idle after 100 ms in all: idle is a swap point
    expect((await p2).outcome).toBe('committed');
    expect(c.getSnapshot().context).toEqual({ queue: [], completed: 1, retries: 0 });
  });
});

describe('delays whose target is gone', () => {
  it('refuses to carry an after the mapped state no longer declares (G5) and keeps the old deadline (G2)', async () => {
    const clock = new ManualClock();
    const runtime = createRuntime({ clock });
    const c = runtime.start(noAfter, { version: 1 });
    c.send({ type: 'ENQUEUE', id: 'a' });
    c.send({ type: 'START' });
    clock.advance(30);
    const before = c.getSnapshot();
    const report = await c.swap(2);
    expect(report.outcome).toBe('refused');
    expect(report.phase).toBe('verify');
    expect(report.blockers.map((b) => b.message)).toEqual([
      "pending delayed event 'xstate.after.100.driver.busy' in state 'busy' (fires in 70 ms): v2 state 'busy' declares no 'after 100'",
    ]);
    expect(c.getSnapshot()).toBe(before);
    expect(c.ledger().delays).toMatchObject([{ id: 'xstate.after.100.driver.busy', remainingMs: 70 }]);
    clock.advance(70);
    expect(c.getSnapshot().value).toBe('idle');
    expect((await c.swap(2, { policies: { delays: 'cancel' } })).outcome).toBe('committed');
  });
});

const tagged = lineage('driver', defineVersion({ version: 1, machine: driverV1Machine, swapTag: 'swappable' })).next(
  defineVersion({ version: 2, machine: driverV2Machine, swapTag: 'swappable' }),
  {
    renamedStates: { busy: 'working' },
    up: ({ value, context }) => ({ value: value === 'busy' ? ('working' as const) : value, context: { ...context, retries: 0 } }),
  },
);

// v2 keeps the state name `busy` but finishes on an event instead of a delay.
const busyWithoutAfter = setupMachine({ types: { context: {} as { queue: string[]; completed: number }, events: {} as DriverEvent } }).createMachine({
  id: 'driver',
  initial: 'idle',
  context: { queue: [], completed: 0 },
  states: { idle: { on: { START: 'busy' } }, busy: { on: { CANCEL: 'idle' } } },
});
const noAfter = lineage('driver', defineVersion({ version: 1, machine: driverV1Machine })).next(
  defineVersion({ version: 2, machine: busyWithoutAfter }),
  { up: (s) => s },
);
