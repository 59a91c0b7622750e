/**
 * `component.stop()` (src/runtime/component.ts): delivers what is held, cancels runtime timers, revokes
 * leases, stops the actor and its children, leaves the runtime — once, however often it is called —
 * and from then on the component refuses loudly instead of dropping events. (Stopping during a swap is
 * in coordinator.test.ts, `describe('stop')`.)
 */
import { describe, expect, it } from 'vitest';
import { createRuntime, ManualClock } from '../../src/index.ts';
import { flush } from '../_support/async.ts';
import { makeLoader } from '../fixtures/loader.ts';

async function ready() {
  const clock = new ManualClock();
  const runtime = createRuntime({ clock });
  const fixture = makeLoader();
  const c = runtime.start(fixture.loader, { version: 1 });
  c.send({ type: 'LOAD', url: 'a' });
  fixture.calls[0]!.resolve('A');
  await flush(); // in `ready`: the refresh timer and the `after` delay are pending
  return { clock, runtime, c, ...fixture };
}

describe('stop', () => {
  it('cancels runtime timers and XState delays: nothing fires afterwards and the clock holds no timer', async () => {
    const { clock, c, calls } = await ready();
    expect(c.ledger().timers).toHaveLength(1);
    expect(c.ledger().delays).toHaveLength(1);
    await c.stop();
    expect(clock.pending).toBe(0);
    expect(c.ledger().timers).toEqual([]);
    clock.advance(10_000);
    expect(calls).toHaveLength(1); // the refresh handler would have sent LOAD and started a fetch
    expect(c.getSnapshot().value).toBe('ready');
  });

  it('revokes every lease: its signal aborts with LEASE_REVOKED and get() throws', async () => {
    const { c } = await ready();
    const socket = c.borrow('socket', 'a');
    const cache = c.borrow('cache', 'b');
    await c.stop();
    for (const lease of [socket, cache]) {
      expect(lease.state).toBe('revoked');
      expect(lease.signal.aborted).toBe(true);
      expect(lease.signal.reason).toMatchObject({ code: 'LEASE_REVOKED' });
      expect(() => lease.get()).toThrowError(expect.objectContaining({ code: 'LEASE_REVOKED' }));
    }
    expect(c.ledger().leases).toEqual([]);
  });

  it('aborts in-flight promises of the stopped actor and records their late result', async () => {
    const { c, calls } = await ready();
    c.send({ type: 'LOAD', url: 'b' });
    await c.stop();
    expect(calls[1]!.signal.aborted).toBe(true);
    calls[1]!.resolve('B');
    await flush();
    expect(c.getSnapshot().context.data).toBe('A');
    expect(c.late).toMatchObject([{ id: 'fetch', src: 'fetchData', version: 1, outcome: 'resolved' }]);
  });

  it('refuses every later send, borrow and swap with COMPONENT_STOPPED or a component-stopped blocker', async () => {
    const { c } = await ready();
    await c.stop();
    expect(c.status).toBe('stopped');
    expect(() => c.send({ type: 'PING', seq: 1 })).toThrowError(
      expect.objectContaining({ code: 'COMPONENT_STOPPED', message: `Component '${c.id}' is stopped; event 'PING' was not accepted` }),
    );
    expect(c.trySend({ type: 'PING', seq: 2 })).toMatchObject({ ok: false, error: { code: 'COMPONENT_STOPPED' } });
    expect(() => c.borrow('socket', 'late')).toThrowError(expect.objectContaining({ code: 'COMPONENT_STOPPED' }));
    const report = await c.swap(2);
    expect(report.outcome).toBe('refused');
    expect(report.blockers.map((b) => b.kind)).toEqual(['component-stopped']);
  });

  it('leaves the runtime, and runs once however often it is called, concurrently or not', async () => {
    const { runtime, c } = await ready();
    const other = runtime.start(makeLoader().loader, { version: 1 });
    const lease = c.borrow('socket', 'once');
    await Promise.all([c.stop(), c.stop()]);
    await c.stop();
    expect(lease.state).toBe('revoked');
    expect(runtime.components()).toEqual([other]);
    await runtime.stop();
    expect(runtime.components()).toEqual([]);
    expect(other.status).toBe('stopped');
  });
});
