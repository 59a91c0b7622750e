/**
 * A worker-hosted component behind the live-component API: send / trySend / getSnapshot / subscribe /
 * swap / revert / ledger / persist / stop, with everything crossing as plain data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isHotswapError } from '../../src/index.ts';
import { hostInWorker, type HostedSnapshot, type WorkerComponent } from '../../src/worker/index.ts';
import type { CounterEvent } from '../fixtures/worker/counter.ts';
import { contextOf, fixture, until } from './_support.ts';

describe('a worker-hosted component', () => {
  let c: WorkerComponent<CounterEvent>;
  beforeAll(async () => {
    c = await hostInWorker<CounterEvent>({ module: fixture('counter-v2'), component: 'counter', version: 1 });
  });
  afterAll(() => c.stop());

  it('starts with the requested version and mirrors its snapshot as plain data', () => {
    expect(c.version).toBe(1);
    expect(c.status).toBe('running');
    expect(c.getSnapshot()).toEqual({ status: 'active', value: 'idle', context: { count: 0, log: [] }, tags: [] });
    expect(c.lastCheckpoint?.version).toBe(1);
  });

  it('delivers sends in order, and subscribers see the processed snapshots', async () => {
    const seen: HostedSnapshot[] = [];
    const sub = c.subscribe((s) => seen.push(s));
    for (let n = 1; n <= 100; n++) c.send({ type: 'ADD', n });
    await until(c, (s) => (s.context as { log: number[] }).log.length === 100);
    sub.unsubscribe();
    expect(contextOf(c).log).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(seen.at(-1)?.context).toEqual(contextOf(c));
    expect(c.pending).toBe(0);
  });

  it('persists an envelope after every event sent before the call, and lists the ledger', async () => {
    c.send({ type: 'ADD', n: 101 });
    c.send({ type: 'ARM' });
    const envelope = await c.persist();
    const ledger = await c.ledger();
    expect(envelope).toMatchObject({ format: 'hotswap.envelope/1', component: 'counter', version: 1, snapshot: { value: 'armed' } });
    expect((envelope.snapshot.context as { log: number[] }).log.at(-1)).toBe(101);
    expect(envelope.timers).toEqual([expect.objectContaining({ kind: 'delay', delayMs: 300 })]);
    expect(ledger.delays).toEqual([expect.objectContaining({ delayMs: 300 })]);
    await until(c, (s) => s.value === 'idle'); // the delay fires in the worker
    expect(contextOf(c).count).toBe(5050 + 101 + 1000);
  });

  it('swaps to a version of the running module inside the worker, journals it, and reverts', async () => {
    const thread = c.threadId;
    const up = await c.swap(2);
    expect(up).toMatchObject({ outcome: 'committed', component: 'counter', from: 1, to: 2 });
    expect(c.version).toBe(2);
    expect(contextOf(c).seen).toBe(0);
    expect(c.threadId).toBe(thread);
    const down = await c.revert();
    expect(down).toMatchObject({ outcome: 'committed', from: 2, to: 1 });
    expect(contextOf(c)).not.toHaveProperty('seen');
    const journal = await c.journal.entries();
    expect(journal.map((e) => [e.instance, e.from, e.to, e.outcome])).toEqual([
      ['counter@worker', 1, 2, 'committed'],
      ['counter@worker', 2, 1, 'committed'],
    ]);
  });

  it('refuses a swap to an unknown version as data', async () => {
    const r = await c.swap(9);
    expect(r.outcome).toBe('refused');
    expect(r.blockers.map((b) => b.kind)).toEqual(['unknown-version']);
  });

  it('throws SWAP_REFUSED, the report in details, from swapOrThrow and revertOrThrow when refused; returns the report when committed', async () => {
    await expect(c.swapOrThrow(9)).rejects.toMatchObject({ code: 'SWAP_REFUSED', details: { report: { outcome: 'refused', to: 9 } } });
    expect(await c.swapOrThrow(2)).toMatchObject({ ok: true, from: 1, to: 2 });
    expect(await c.revertOrThrow()).toMatchObject({ ok: true, from: 2, to: 1 });
    // v1 has no version below it
    await expect(c.revertOrThrow()).rejects.toMatchObject({ code: 'SWAP_REFUSED' });
    expect(c.version).toBe(1);
  });

  it('refuses promise-policy functions, which cannot cross to a worker', async () => {
    const r = await c.swap(2, { policies: { promises: () => 'wait' } });
    expect(r).toMatchObject({ outcome: 'refused', phase: 'plan' });
    expect(r.blockers[0]?.kind).toBe('cross-isolate');
  });

  it('runs preconditions on the main thread against the live state', async () => {
    const r = await c.swap(2, { preconditions: { small: ({ state }) => ((state.context as { count: number }).count < 10 ? true : 'count too high') } });
    expect(r.blockers).toEqual([expect.objectContaining({ kind: 'precondition-failed', reason: 'count too high' })]);
  });
});

describe('sending to a worker-hosted component', () => {
  it('refuses past its capacity with MAILBOX_FULL, and after stop with COMPONENT_STOPPED', async () => {
    const c = await hostInWorker<CounterEvent>({ module: fixture('counter-v1'), component: 'counter', mailboxCapacity: 2 });
    c.send({ type: 'ADD', n: 1 });
    c.send({ type: 'ADD', n: 2 });
    const full = c.trySend({ type: 'ADD', n: 3 });
    expect(full).toMatchObject({ ok: false, error: { code: 'MAILBOX_FULL' } });
    await c.stop();
    expect(contextOf(c).log).toEqual([1, 2]); // stop processes what was sent before it
    expect(c.status).toBe('stopped');
    expect(() => c.send({ type: 'ADD', n: 4 })).toThrow(expect.objectContaining({ code: 'COMPONENT_STOPPED' }));
  });
});

describe('starting a worker-hosted component', () => {
  it('rejects with WORKER_START_FAILED naming the module when it throws at import', async () => {
    const e: unknown = await hostInWorker({ module: fixture('throws-at-import'), component: 'counter' }).catch((x: unknown) => x);
    expect(isHotswapError(e, 'WORKER_START_FAILED')).toBe(true);
    expect((e as { details: { phase: string; error: { message: string } } }).details).toMatchObject({ phase: 'load', error: { message: expect.stringContaining('throws at import on purpose') } });
  });

  it('rejects with the start blockers when the machine cannot start', async () => {
    const e: unknown = await hostInWorker({ module: fixture('fails-at-start'), component: 'counter' }).catch((x: unknown) => x);
    expect(isHotswapError(e, 'WORKER_START_FAILED')).toBe(true);
    expect((e as { details: { phase: string; blockers: { kind: string }[] } }).details).toMatchObject({ phase: 'start', blockers: [{ kind: 'install-failed' }] });
  });

  it('hosts the plugin form of the contract: a lineage extended by a default-exported plugin', async () => {
    const c = await hostInWorker<CounterEvent>({ module: fixture('counter-plugin-v2'), component: 'counter' });
    expect(c.version).toBe(2);
    await c.stop();
  });
});

describe("a worker-hosted component's result forms", () => {
  it('tryPersist returns the envelope persist() would, and a stopped component as coded data, not a rejection', async () => {
    const c = await hostInWorker<CounterEvent>({ module: fixture('counter-v2'), component: 'counter', version: 1 });
    c.send({ type: 'ADD', n: 7 });
    const r = await c.tryPersist();
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.envelope).toMatchObject({ component: 'counter', version: 1, snapshot: { context: { count: 7, log: [7] } } });
    await c.stop();
    const stopped = await c.tryPersist();
    expect(stopped).toMatchObject({ ok: false, error: { code: 'COMPONENT_STOPPED' } });
    expect(c.trySend({ type: 'ADD', n: 1 })).toMatchObject({ ok: false, error: { code: 'COMPONENT_STOPPED' } });
  });
});
