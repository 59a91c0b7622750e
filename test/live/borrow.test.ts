/**
 * `component.borrow(handle, holder)` (src/runtime/component.ts, src/live/_internal/leases.ts): lends a
 * resource the running version declares in `handles`, lists it in the ledger until released, and reads
 * it from the version holding it now. (How leases hold back, block or survive a swap is in
 * policies.test.ts, `describe('leases')`, and leases.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { createRuntime, ManualClock } from '../../src/index.ts';
import { flush } from '../_support/async.ts';
import { makeLoader } from '../fixtures/loader.ts';

function start() {
  const clock = new ManualClock(1_000);
  const fixture = makeLoader();
  const c = createRuntime({ clock }).start(fixture.loader, { version: 1 });
  return { clock, c, ...fixture };
}

describe('borrow', () => {
  it('returns a held lease with its handle, holder and start time, and distinct ids', () => {
    const { c } = start();
    const a = c.borrow('socket', 'http');
    const b = c.borrow('socket', 'ws');
    expect(a).toMatchObject({ handle: 'socket', holder: 'http', since: 1_000, state: 'held' });
    expect(a.signal.aborted).toBe(false);
    expect(b.id).not.toBe(a.id);
  });

  it('lists each lease in the ledger with the time it has been held, until it is released', () => {
    const { c, clock } = start();
    const a = c.borrow('socket', 'http');
    const b = c.borrow('cache', 'ws');
    clock.advance(40);
    expect(c.ledger().leases).toEqual([
      { kind: 'lease', id: a.id, handle: 'socket', holder: 'http', since: 1_000, heldMs: 40, transferable: false },
      { kind: 'lease', id: b.id, handle: 'cache', holder: 'ws', since: 1_000, heldMs: 40, transferable: true },
    ]);
    a.release();
    expect(a.state).toBe('released');
    expect(a.signal.aborted).toBe(false); // released, not revoked
    expect(c.ledger().leases.map((l) => l.holder)).toEqual(['ws']);
  });

  it('get() reads the resource from the current state; after release it throws LEASE_REVOKED naming why', async () => {
    const { c, calls } = start();
    const lease = c.borrow('cache', 'reader');
    expect(lease.get()).toBe('v1:null');
    c.send({ type: 'LOAD', url: 'a' });
    calls[0]!.resolve('A');
    await flush();
    expect(lease.get()).toBe('v1:A');
    lease.release();
    expect(() => lease.get()).toThrowError(expect.objectContaining({ code: 'LEASE_REVOKED', message: "Lease of 'cache' held by 'reader' is released" }));
  });

  it('release() twice is a no-op: the second does not change the state or the ledger', () => {
    const { c } = start();
    const a = c.borrow('socket', 'a');
    const b = c.borrow('socket', 'b');
    a.release();
    a.release();
    expect(a.state).toBe('released');
    expect(c.ledger().leases.map((l) => l.id)).toEqual([b.id]);
  });

  it('refuses a handle the running version does not declare with BORROW_REFUSED and the version', () => {
    const { c } = start();
    expect(() => c.borrow('printer', 'x')).toThrowError(
      expect.objectContaining({ code: 'BORROW_REFUSED', message: "v1 of 'loader' declares no handle 'printer'", details: { handle: 'printer', version: 1 } }),
    );
    expect(c.ledger().leases).toEqual([]);
  });

  it('during a swap, lends only transferable handles', async () => {
    const { c, calls } = start();
    c.send({ type: 'LOAD', url: 'a' });
    const swap = c.swap(2); // waits for the fetch
    await flush();
    expect(() => c.borrow('socket', 'x')).toThrowError(expect.objectContaining({ code: 'BORROW_REFUSED', message: expect.stringContaining('is swapping') }));
    const cache = c.borrow('cache', 'y');
    calls[0]!.resolve('A');
    expect((await swap).outcome).toBe('committed');
    expect(cache.state).toBe('held');
    expect(cache.get()).toBe('v2:A');
  });
});
