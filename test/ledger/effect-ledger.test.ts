/**
 * `EffectLedger` (src/ledger/effect-ledger.ts) on its own, with a manual clock and a recording host:
 * the one owner of runtime timers, tracked promises and their adoption, leases and late results, and
 * of the rules about them (remaining time, root delays, what `persist()` may carry). Through a live
 * component the same records are pinned by test/live/timers.test.ts, test/live/borrow.test.ts and
 * test/swap/policies.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createActor, setup } from 'xstate';
import { isHotswapError, ManualClock } from '../../src/index.ts';
import { EffectLedger, isRootDelay, remainingMs, type RuntimeTimer } from '../../src/ledger/effect-ledger.ts';
import type { PromiseArgs } from '../../src/xstate/host-registry.ts';
import type { PendingDelay } from '../../src/xstate/adapter.ts';

function setUp() {
  const clock = new ManualClock();
  const fired: RuntimeTimer[] = [];
  let changes = 0;
  const ledger = new EffectLedger({ clock, notifyChange: () => void changes++, fireTimer: (t) => fired.push(t) });
  return { clock, ledger, fired, changes: () => changes };
}

/** A promise actor's arguments as XState passes them, for an owner whose status the test sets. */
function promiseArgs(id: string, status: { value: string }): PromiseArgs & { abort: AbortController } {
  const abort = new AbortController();
  return { input: undefined, system: {}, self: { id, getSnapshot: () => ({ status: status.value }) }, signal: abort.signal, emit: () => undefined, abort };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('remaining time and root delays: one definition each', () => {
  it('remainingMs counts down to its due time and never goes negative', () => {
    expect(remainingMs(130, 100)).toBe(30);
    expect(remainingMs(130, 130)).toBe(0);
    expect(remainingMs(130, 500)).toBe(0);
  });

  it('a root delay is scheduled by the root for itself; a child’s or one sent to another actor is not', () => {
    const d = (fromRoot: boolean, selfTargeted: boolean) => ({ fromRoot, selfTargeted }) as PendingDelay;
    expect(isRootDelay(d(true, true))).toBe(true);
    expect(isRootDelay(d(false, true))).toBe(false);
    expect(isRootDelay(d(true, false))).toBe(false);
  });
});

describe('runtime timers', () => {
  it('records a timer with its due time, fires it through the host once due, and lists its remaining time', () => {
    const { clock, ledger, fired } = setUp();
    ledger.startTimer('t', 'onT', 50, { n: 1 });
    clock.advance(20);
    expect([...ledger.timers.values()]).toMatchObject([{ name: 't', handler: 'onT', delayMs: 50, dueAt: 50 }]);
    const actor = createActor(setup({}).createMachine({})).start();
    expect(ledger.carried(actor)).toEqual([{ kind: 'timer', id: 't', handler: 'onT', payload: { n: 1 }, delayMs: 50, remainingMs: 30 }]);
    clock.advance(30);
    expect(fired.map((t) => t.name)).toEqual(['t']);
    // the host decides what a firing does; once handled, the ledger forgets it
    expect(ledger.isPending(fired[0]!)).toBe(true);
    ledger.timerDone(fired[0]!);
    expect(ledger.timers.size).toBe(0);
  });

  it('replaces a timer of the same name (the old firing is stale) and cancels by name, clearing the clock timer', () => {
    const { clock, ledger, fired } = setUp();
    ledger.startTimer('t', 'h', 10, 1);
    const first = ledger.timers.get('t')!;
    ledger.startTimer('t', 'h', 40, 2);
    expect(ledger.isPending(first as RuntimeTimer)).toBe(false);
    clock.advance(10);
    expect(fired).toEqual([]);
    ledger.cancelTimer('t');
    ledger.cancelTimer('absent');
    clock.advance(100);
    expect(fired).toEqual([]);
    expect(ledger.timers.size).toBe(0);
  });

  it('refuses a delay a Node timer cannot hold with INVALID_ARGUMENT, recording nothing', () => {
    const { ledger } = setUp();
    for (const bad of [-1, 2 ** 31, Number.NaN]) {
      let error: unknown;
      try {
        ledger.startTimer('t', 'h', bad, undefined);
      } catch (e) {
        error = e;
      }
      expect(isHotswapError(error) && error.code).toBe('INVALID_ARGUMENT');
    }
    expect(ledger.timers.size).toBe(0);
  });
});

describe('leases', () => {
  it('lends with the clock’s time, ends once (released or revoked), aborts the signal only on revoke, and tells the host', () => {
    const { clock, ledger, changes } = setUp();
    clock.advance(5);
    const a = ledger.lend('db', 'worker', false);
    const b = ledger.lend('db', 'cron', true);
    expect(a.since).toBe(5);
    expect(b.id).toBeGreaterThan(a.id);
    ledger.endLease(a, 'released');
    ledger.endLease(a, 'revoked'); // already ended: no effect
    expect(a.state).toBe('released');
    expect(a.controller.signal.aborted).toBe(false);
    ledger.revokeAll();
    expect(b.state).toBe('revoked');
    expect(b.controller.signal.aborted).toBe(true);
    expect(ledger.leases.size).toBe(0);
    expect(changes()).toBe(2);
  });
});

describe('in-flight promises', () => {
  it('tracks a promise until it settles; a settlement after its owner stopped is recorded as late (G4)', async () => {
    const { clock, ledger } = setUp();
    const status = { value: 'active' };
    const args = promiseArgs('fetch', status);
    let resolve!: (v: unknown) => void;
    ledger.trackPromise('load', args, () => new Promise((r) => (resolve = r)), 1);
    expect(ledger.promiseOf(args.self)).toMatchObject({ childId: 'fetch', src: 'load', startedAt: 0, version: 1 });
    status.value = 'stopped';
    ledger.forgetStopped();
    expect(ledger.inFlight.size).toBe(0);
    clock.advance(7);
    resolve('x');
    await settle();
    expect(ledger.late).toEqual([{ id: 'fetch', src: 'load', version: 1, outcome: 'resolved', at: 7 }]);
  });

  it('hands an offered promise to the new child of the same id instead of starting it again, and the undo hands it back', async () => {
    const { ledger } = setUp();
    const oldArgs = promiseArgs('fetch', { value: 'active' });
    let starts = 0;
    const creator = () => {
      starts++;
      return new Promise(() => undefined);
    };
    const p = ledger.trackPromise('load', oldArgs, creator, 1);
    const entry = ledger.promiseOf(oldArgs.self)!;
    const undo = ledger.offerAdoptions([entry]);
    const newArgs = promiseArgs('fetch', { value: 'active' });
    expect(ledger.trackPromise('load', newArgs, creator, 2)).toBe(p);
    expect(starts).toBe(1);
    expect(ledger.promiseOf(newArgs.self)).toBe(entry);
    // the old child stopping does not abort an adopted promise
    oldArgs.abort.abort();
    expect(entry.controller.signal.aborted).toBe(false);
    undo();
    expect(ledger.promiseOf(oldArgs.self)).toBe(entry);
    expect(ledger.promiseOf(newArgs.self)).toBeUndefined();
    expect(entry.adopted).toBe(false);
  });
});

describe('snapshot', () => {
  it('is plain data of everything started and not finished, at the clock’s time', () => {
    const { clock, ledger } = setUp();
    const actor = createActor(setup({}).createMachine({})).start();
    ledger.startTimer('t', 'h', 100, 'p');
    ledger.lend('db', 'worker', true);
    clock.advance(40);
    const snap = ledger.snapshot(actor, actor.logic);
    expect(snap).toEqual({
      at: 40,
      delays: [],
      timers: [{ kind: 'timer', name: 't', handler: 'h', payload: 'p', delayMs: 100, dueAt: 100, remainingMs: 60 }],
      inFlight: [],
      leases: [{ kind: 'lease', id: expect.any(Number), handle: 'db', holder: 'worker', since: 0, heldMs: 40, transferable: true }],
      late: [],
    });
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
  });
});
