/**
 * Each XState behaviour from docs/design.md §6 that breaks a naive swap: first the naive approach, shown
 * to fail, then hotswap, shown not to.
 */
import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { createRuntime, ManualClock } from '../../src/index.ts';
import { flush } from '../_support/async.ts';
import { driver, driverV1Machine, driverV2Machine } from '../fixtures/driver.ts';
import { makeLoader } from '../fixtures/loader.ts';

describe('XState does not persist pending delayed events (xstate#5331)', () => {
  it('naive: a restored actor in an `after` state never fires it', () => {
    const clock = new SimulatedClock();
    const old = createActor(driverV1Machine, { clock }).start();
    old.send({ type: 'ENQUEUE', id: 'a' });
    old.send({ type: 'START' });
    const persisted = old.getPersistedSnapshot() as any;
    old.stop();
    const restored = createActor(driverV2Machine, { clock, snapshot: { ...persisted, value: 'working', context: { ...persisted.context, retries: 0 } } }).start();
    clock.increment(10_000);
    expect(restored.getSnapshot().value).toBe('working'); // stuck forever
  });

  it('hotswap: the pending delay is carried and fires at its original deadline', async () => {
    const clock = new ManualClock();
    const c = createRuntime({ clock }).start(driver, { version: 1 });
    c.send({ type: 'ENQUEUE', id: 'a' });
    c.send({ type: 'START' });
    clock.advance(40);
    expect((await c.swap(2)).outcome).toBe('committed');
    clock.advance(59);
    expect(c.getSnapshot().value).toBe('working');
    clock.advance(1);
    expect(c.getSnapshot().value).toBe('idle');
    const s = c.getSnapshot();
    expect(s.version === 2 && s.context.completed).toBe(1);
  });
});

describe('restore re-invokes in-flight promises', () => {
  it('naive: restoring a snapshot with an active promise child runs its creator again', async () => {
    const { loader, calls } = makeLoader();
    const old = createActor(loader.versions[0].machine).start();
    old.send({ type: 'LOAD', url: 'a' });
    const persisted = old.getPersistedSnapshot();
    old.stop();
    createActor(loader.versions[1].machine, { snapshot: persisted }).start();
    expect(calls.map((c) => c.version)).toEqual([1, 2]); // the request went out twice
  });

  it('hotswap: with policy adopt, the request goes out once and its result reaches the new version', async () => {
    const { loader, calls } = makeLoader();
    const c = createRuntime().start(loader, { version: 1 });
    c.send({ type: 'LOAD', url: 'a' });
    await c.swap(2, { policies: { promises: 'adopt' } });
    calls[0]!.resolve('A');
    await flush();
    expect(calls).toHaveLength(1);
    expect(c.getSnapshot().context.log).toEqual(['v2:done:A']);
  });
});

describe('stop() drops queued events', () => {
  it('naive: events sent to a stopped actor are silently lost', () => {
    const old = createActor(driverV1Machine).start();
    old.stop();
    old.send({ type: 'ENQUEUE', id: 'lost' });
    expect(old.getSnapshot().context.queue).toEqual([]);
  });

  it('hotswap: events sent during the swap are held and delivered, and a stopped component refuses loudly', async () => {
    const { loader, calls } = makeLoader();
    const c = createRuntime().start(loader, { version: 1 });
    c.send({ type: 'LOAD', url: 'a' });
    const swap = c.swap(2);
    await flush();
    c.send({ type: 'PING', seq: 1 });
    calls[0]!.resolve('A');
    await swap;
    expect(c.getSnapshot().context.log).toEqual(['v1:done:A', 'v2:ping:1']);
    await c.stop();
    expect(() => c.send({ type: 'PING', seq: 2 })).toThrowError(expect.objectContaining({ code: 'COMPONENT_STOPPED' }));
  });
});

describe('restore failures are silent', () => {
  it('naive: restoring a state the machine lacks yields status error, not a throw', () => {
    const persisted = { ...(createActor(driverV1Machine).getPersistedSnapshot() as any), value: 'busy' };
    const actor = createActor(driverV2Machine, { snapshot: persisted });
    expect(actor.getSnapshot().status).toBe('error');
  });

  it('hotswap: an unmapped state is a blocker before install, and the old version keeps serving', async () => {
    const broken = driver.versions[0];
    const l = (await import('../../src/index.ts')).lineage('driver', broken).next(driver.versions[1], {
      up: ({ value, context }) => ({ value: value as never, context: { ...context, retries: 0 } }), // forgets busy → working
    });
    const clock = new ManualClock();
    const c = createRuntime({ clock }).start(l, { version: 1 });
    c.send({ type: 'ENQUEUE', id: 'a' });
    c.send({ type: 'START' });
    const report = await c.swap(2);
    expect(report.outcome).toBe('refused');
    expect(report.blockers.map((b) => b.message)).toEqual(["state 'busy' does not exist in v2"]);
    expect(c.version).toBe(1);
    clock.advance(100);
    expect(c.getSnapshot().context).toEqual({ queue: [], completed: 1 });
  });

  it('hotswap: a new version that fails while starting is refused at install (status error caught)', async () => {
    const { loader } = makeLoader({ v3FailingListener: true });
    const c = createRuntime().start(loader, { version: 2 });
    const report = await c.swap(3);
    expect(report.outcome).toBe('refused');
    expect(report.phase).toBe('install');
    expect(report.blockers[0]).toMatchObject({ kind: 'install-failed', version: 3 });
    expect(report.blockers[0]!.message).toContain('listener of v3 failed to start');
    expect(c.version).toBe(2);
    c.send({ type: 'PING', seq: 1 });
    expect(c.getSnapshot().context.log).toEqual(['v2:ping:1']);
  });
});
