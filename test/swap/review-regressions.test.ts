/**
 * Regressions from the first review of the coordinator: each was a reproduced defect.
 */
import { describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { createRuntime, defineVersion, lineage, ManualClock, type Blocker, type Journal } from '../../src/index.ts';
import { flush, isSettled } from '../_support/async.ts';
import { driver } from '../fixtures/driver.ts';
import { makeLoader } from '../fixtures/loader.ts';

const kinds = (blockers: readonly Blocker[]) => blockers.map((b) => b.kind);

describe('a throw inside the pipeline never wedges the component (G7)', () => {
  it('an observer that throws during the commit: the swap commits, the error goes to onError', async () => {
    const errors: unknown[] = [];
    const c = createRuntime({ onError: (e) => errors.push(e) }).start(driver, { version: 1 });
    c.subscribe(() => {
      throw new Error('observer boom');
    });
    const report = await c.swap(2);
    expect(report.outcome).toBe('committed');
    expect(errors).toEqual([new Error('observer boom')]);
    expect(c.status).toBe('running');
    c.send({ type: 'ENQUEUE', id: 'a' });
    expect(c.getSnapshot().context.queue).toEqual(['a']);
    await c.stop();
  });

  it('a policy function that throws: refused with what threw, the old version resumes with the held events', async () => {
    const { loader, calls } = makeLoader();
    const c = createRuntime().start(loader, { version: 1 });
    c.send({ type: 'LOAD', url: 'a' });
    const swap = c.swap(2, {
      policies: {
        promises: () => {
          throw new Error('policy boom');
        },
      },
    });
    c.send({ type: 'PING', seq: 1 });
    const report = await swap;
    expect(report.outcome).toBe('refused');
    expect(report.blockers.map((b) => b.message)).toEqual(['aborted: quiesce threw Error: policy boom']);
    expect(c.status).toBe('running');
    expect(c.version).toBe(1);
    calls[0]!.resolve('A');
    await flush();
    expect(c.getSnapshot().context.log).toEqual(['v1:ping:1', 'v1:done:A']);
    expect((await c.swap(2)).outcome).toBe('committed');
  });

  it('a state that cannot be hashed: the swap still reports, with the hash error', async () => {
    const m = setup({ types: { context: {} as { big: bigint } } }).createMachine({ id: 'b', context: { big: 1n }, initial: 'a', states: { a: {} } });
    const l = lineage('b', defineVersion({ version: 1, machine: m })).next(defineVersion({ version: 2, machine: m }), { up: (s) => s });
    const report = await createRuntime().start(l, { version: 1 }).swap(2);
    // a BigInt is no state persist() can write: refused at verify (issue 9), still reported with the hash error
    expect(report.outcome).toBe('refused');
    expect(report.blockers.map((b) => b.kind)).toEqual(['unpersistable-value']);
    expect(report.errors?.[0]).toMatch(/^state hash: .*BigInt/);
  });

  it('a journal that cannot be written: the report still comes back, naming the journal error (G8)', async () => {
    const journal: Journal = {
      append: () => Promise.reject(new Error('disk full')),
      entries: () => [],
    };
    const report = await createRuntime({ journal }).start(driver, { version: 1 }).swap(2);
    expect(report.outcome).toBe('committed');
    expect(report.errors).toEqual(['journal: disk full']);
  });
});

describe('the abort signal', () => {
  it('refuses at once when already aborted, even if the component is quiescent', async () => {
    const c = createRuntime().start(driver, { version: 1 });
    const report = await c.swap(2, { signal: AbortSignal.abort() });
    expect(report.outcome).toBe('refused');
    expect(report.blockers.map((b) => b.message)).toEqual(['aborted: the swap was aborted by its signal']);
    expect(c.version).toBe(1);
  });

  it('reports an abort during preconditions as aborted, not as a timeout', async () => {
    const controller = new AbortController();
    const c = createRuntime().start(driver, { version: 1 });
    const swap = c.swap(2, { signal: controller.signal, deadlineMs: 5000, preconditions: { slow: () => new Promise(() => undefined) } });
    controller.abort();
    const report = await swap;
    expect(kinds(report.blockers)).toEqual(['aborted']);
  });
});

describe('leases under policy revoke', () => {
  it('are not revoked when something else still blocks: a refused swap keeps them (G2)', async () => {
    const clock = new ManualClock();
    const { loader } = makeLoader();
    const c = createRuntime({ clock }).start(loader, { version: 1 });
    const lease = c.borrow('socket', 'scheduler');
    c.send({ type: 'LOAD', url: 'a' }); // a fetch that never settles: policy wait
    const swap = c.swap(2, { policies: { leases: 'revoke' }, deadlineMs: 100 });
    await flush();
    clock.advance(100);
    const report = await swap;
    expect(report.outcome).toBe('refused');
    expect(kinds(report.blockers)).toEqual(['quiesce-timeout', 'in-flight', 'lease-outstanding']);
    expect(report.effects.revoked).toEqual([]);
    expect(lease.state).toBe('held');
    expect(lease.signal.aborted).toBe(false);
  });


  it('are revoked only at the commit point: a swap refused later keeps them (found by the swap-safety property)', async () => {
    // fast-check counterexample, seed 20261121: borrow socket, LOAD 'forbidden', swap to v3 with leases: revoke
    const clock = new ManualClock();
    const { loader } = makeLoader();
    const c = createRuntime({ clock }).start(loader, { version: 1 });
    const lease = c.borrow('socket', 'swap-safety');
    c.send({ type: 'LOAD', url: 'forbidden' });
    const swap = c.swap(3, { policies: { leases: 'revoke', promises: 'abort' }, deadlineMs: 100 });
    await flush();
    clock.advance(100);
    const report = await swap;
    expect(report.outcome).toBe('refused');
    expect(kinds(report.blockers)).toEqual(['invariant-violation']);
    expect(lease.state).toBe('held');
  });
});

describe('children', () => {
  it('records restarted callback actors, and refuses them with policy callbacks: block', async () => {
    const { loader } = makeLoader();
    const c = createRuntime().start(loader, { version: 1 });
    const committed = await c.swap(2);
    expect(committed.effects.restarted).toEqual(['listener']);
    const refused = await c.swap(3, { policies: { callbacks: 'block', timers: 'cancel' } });
    expect(refused.blockers.map((b) => b.message)).toEqual(["invoked actor 'listener' (src listener) in flight for 0 ms; policy: block"]);
  });

  it('refuses to carry an invoked child into a state that does not invoke it (G5)', async () => {
    const { loader } = makeLoader();
    const leaves = lineage('loader', loader.versions[0]).next(loader.versions[1], {
      up: ({ value, context }) => ({ value: value === 'loading' ? ('idle' as const) : value, context }),
    });
    const c = createRuntime().start(leaves, { version: 1 });
    c.send({ type: 'LOAD', url: 'a' });
    const report = await c.swap(2, { policies: { promises: 'abort' } });
    expect(report.outcome).toBe('refused');
    expect(report.blockers.map((b) => b.message)).toEqual([
      "child actor 'fetch' is carried into v2, but none of the states that invoke it (loading) is active after migration",
    ]);
  });
});

describe('held events', () => {
  it('refuses a swap whose new version would ignore a held event (G1, G5)', async () => {
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

describe('runtime timer handlers', () => {
  it('a handler that throws is recorded and reported, and does not escape into the clock', () => {
    const clock = new ManualClock();
    const errors: unknown[] = [];
    const { loader, calls, v1 } = makeLoader();
    const throwing = lineage('loader', defineVersion({ ...v1, handlers: { refresh: () => { throw new Error('handler boom'); } } }));
    void loader;
    const c = createRuntime({ clock, onError: (e) => errors.push(e) }).start(throwing, { version: 1 });
    c.send({ type: 'LOAD', url: 'a' });
    calls[0]!.resolve('A');
    return flush().then(() => {
      expect(() => clock.advance(500)).not.toThrow();
      expect(errors).toEqual([new Error('handler boom')]);
      expect(c.late).toMatchObject([{ id: 'refresh', src: 'timer:refresh', outcome: 'rejected' }]);
    });
  });
});

describe('resources', () => {
  it('a precondition that rejects leaves no timer behind', async () => {
    const clock = new ManualClock();
    const c = createRuntime({ clock }).start(driver, { version: 1 });
    const before = clock.pending;
    const report = await c.swap(2, { preconditions: { nope: () => Promise.reject(new Error('nope')) } });
    expect(report.blockers.map((b) => b.message)).toEqual(["precondition 'nope' failed: threw nope"]);
    expect(clock.pending).toBe(before);
  });

  it('persist() during a swap is refused: the state is not at rest while events are held', async () => {
    const { loader, calls } = makeLoader();
    const c = createRuntime().start(loader, { version: 1 });
    c.send({ type: 'LOAD', url: 'a' });
    const swap = c.swap(2);
    expect(() => c.persist()).toThrowError(expect.objectContaining({ code: 'PERSIST_REFUSED' }));
    calls[0]!.resolve('A');
    await swap;
    expect(c.persist().version).toBe(2);
  });

  it('a stopped component leaves the runtime, and swapAll refuses a component listed twice', async () => {
    const runtime = createRuntime();
    const a = runtime.start(driver, { version: 1 });
    await expect(runtime.swapAll([{ component: a, target: 2 }, { component: a, target: 3 }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await a.stop();
    expect(runtime.components()).toEqual([]);
    const swap = runtime.swapAll([{ component: a, target: 2 }]);
    expect(await isSettled(swap.catch(() => undefined))).toBe(true);
    await expect(swap).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
