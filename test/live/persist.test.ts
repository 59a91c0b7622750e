/**
 * `component.persist()` (src/runtime/component.ts): a hashed envelope of the state at rest, the root's
 * pending delays and the runtime timers with their remaining time — refused while a swap holds events.
 * (Re-arming what it saved in a new runtime is in coordinator.test.ts, `describe('persist and start')`.)
 */
import { describe, expect, it } from 'vitest';
import { createRuntime, ENVELOPE_FORMAT, ManualClock, parseEnvelope } from '../../src/index.ts';
import { flush } from '../_support/async.ts';
import { driver } from '../fixtures/driver.ts';
import { makeLoader } from '../fixtures/loader.ts';

describe('persist', () => {
  it('writes the running version, its persisted snapshot and a hash the envelope reader accepts', () => {
    const clock = new ManualClock();
    const c = createRuntime({ clock }).start(driver, { version: 2 });
    c.send({ type: 'ENQUEUE', id: 'a' });
    const envelope = c.persist();
    expect(envelope).toMatchObject({ format: ENVELOPE_FORMAT, component: 'driver', version: 2, timers: [] });
    expect(envelope.snapshot).toMatchObject({ status: 'active', value: 'idle', context: { queue: ['a'], completed: 0, retries: 0 } });
    expect(envelope.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.isFrozen(envelope)).toBe(true);
    const read = parseEnvelope(JSON.stringify(envelope));
    expect(read).toMatchObject({ ok: true, envelope: { hash: envelope.hash } });
  });

  it('saves each pending timer with the time left now, and no leases', async () => {
    const clock = new ManualClock();
    const { loader, calls } = makeLoader();
    const c = createRuntime({ clock }).start(loader, { version: 1 });
    c.borrow('socket', 'test');
    c.send({ type: 'LOAD', url: 'a' });
    calls[0]!.resolve('A');
    await flush();
    clock.advance(100);
    const early = c.persist().timers.map((t) => [t.id, t.remainingMs]);
    clock.advance(250);
    const late = c.persist().timers.map((t) => [t.id, t.remainingMs]);
    expect(early).toEqual([['xstate.after.1000.loader.ready', 900], ['refresh', 400]]);
    expect(late).toEqual([['xstate.after.1000.loader.ready', 650], ['refresh', 150]]);
    expect(JSON.stringify(c.persist())).not.toContain('socket');
  });

  // Provenance: first review of the coordinator.
  it('is refused during a swap: the state is not at rest while events are held', async () => {
    const { loader, calls } = makeLoader();
    const c = createRuntime().start(loader, { version: 1 });
    c.send({ type: 'LOAD', url: 'a' });
    const swap = c.swap(2);
    expect(() => c.persist()).toThrowError(expect.objectContaining({ code: 'PERSIST_REFUSED' }));
    calls[0]!.resolve('A');
    await swap;
    expect(c.persist().version).toBe(2);
  });

  it('names the swap it was refused for', async () => {
    const { loader, calls } = makeLoader();
    const c = createRuntime().start(loader, { version: 1 });
    c.send({ type: 'LOAD', url: 'a' });
    const swap = c.swap(2);
    let thrown: unknown;
    try {
      c.persist();
    } catch (error) {
      thrown = error;
    }
    calls[0]!.resolve('A');
    const report = await swap;
    expect(thrown).toMatchObject({ code: 'PERSIST_REFUSED', details: { swapId: report.id } });
  });
});

describe('tryPersist, the result form of persist', () => {
  it('returns the envelope persist() would write', () => {
    const clock = new ManualClock();
    const c = createRuntime({ clock }).start(driver, { version: 2 });
    c.send({ type: 'ENQUEUE', id: 'a' });
    const r = c.tryPersist();
    if (!r.ok) throw new Error(`expected an envelope, got ${r.error.message}`);
    // the same envelope but for its write time (`savedAt`), which the hash covers
    const { savedAt: _a, hash: _h, ...written } = r.envelope;
    const { savedAt: _b, hash: _i, ...again } = c.persist();
    expect(written).toEqual(again);
    expect(written).toMatchObject({ component: 'driver', version: 2, snapshot: { context: { queue: ['a'] } } });
    expect(parseEnvelope(JSON.stringify(r.envelope))).toMatchObject({ ok: true, envelope: { hash: r.envelope.hash } });
  });

  it('returns PERSIST_REFUSED during a swap as data, and the component keeps running to a committed swap', async () => {
    const { loader, calls } = makeLoader();
    const c = createRuntime().start(loader, { version: 1 });
    c.send({ type: 'LOAD', url: 'a' });
    const swap = c.swap(2);
    const refused = c.tryPersist();
    calls[0]!.resolve('A');
    const report = await swap;
    expect(refused).toMatchObject({ ok: false, error: { code: 'PERSIST_REFUSED', details: { swapId: report.id } } });
    expect(report.ok).toBe(true);
    expect(c.tryPersist()).toMatchObject({ ok: true, envelope: { version: 2 } });
  });
});
