/**
 * Leases of a worker-hosted component: the in-process lease API across the boundary. A lease is a
 * record in the worker, so the swap policies see it (`wait` holds a swap back until the release,
 * `block` refuses, `revoke` ends it); its resource crosses as plain data or is refused as
 * `cross-isolate`; a transferable lease follows an in-worker swap but refuses a drained replacement;
 * a crash or a stop revokes every lease.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { hostInWorker, type WorkerComponent } from '../../src/worker/index.ts';
import type { CounterEvent } from '../fixtures/worker/counter.ts';
import { fixture } from './_support.ts';

const started: WorkerComponent<CounterEvent>[] = [];
async function host(): Promise<WorkerComponent<CounterEvent>> {
  const c = await hostInWorker<CounterEvent>({ module: fixture('counter-v2'), component: 'counter', version: 1 });
  started.push(c);
  return c;
}
afterEach(async () => {
  for (const c of started.splice(0)) await c.stop();
});

describe('borrow on a worker-hosted component', () => {
  it('lends a handle whose resource is read in the worker after every event sent before, until released', async () => {
    const c = await host();
    c.send({ type: 'ADD', n: 5 });
    const lease = await c.borrow('tally', 'reporter');
    expect(lease).toMatchObject({ handle: 'tally', holder: 'reporter', state: 'held' });
    c.send({ type: 'ADD', n: 2 });
    expect(await lease.get()).toEqual({ version: 1, count: 7 });
    expect((await c.ledger()).leases).toEqual([expect.objectContaining({ handle: 'tally', holder: 'reporter' })]);
    lease.release();
    expect(lease.state).toBe('released');
    await expect(lease.get()).rejects.toMatchObject({ code: 'LEASE_REVOKED' });
    expect((await c.ledger()).leases).toEqual([]);
  });

  it('refuses an unknown handle, and a resource that cannot cross the isolate, with typed errors', async () => {
    const c = await host();
    await expect(c.borrow('nope', 'x')).rejects.toMatchObject({ code: 'BORROW_REFUSED' });
    const lease = await c.borrow('callback', 'x');
    await expect(lease.get()).rejects.toMatchObject({ code: 'BORROW_REFUSED', details: { reason: 'cross-isolate', handle: 'callback' } });
    c.send({ type: 'ADD', n: 1 }); // still serving
    expect(await (await c.borrow('tally', 'y')).get()).toEqual({ version: 1, count: 1 });
  });

  it('holds a drained replacement back until the release (policy wait)', async () => {
    const c = await host();
    const lease = await c.borrow('tally', 'slow');
    const swapping = c.swap({ module: fixture('counter-v2'), version: 2 }, { policies: { leases: 'wait' }, deadlineMs: 20_000 });
    await expect(c.borrow('tally', 'late')).rejects.toMatchObject({ code: 'BORROW_REFUSED' }); // mid-swap
    let settled = false;
    void swapping.then(() => (settled = true));
    await sleep(300);
    expect(settled).toBe(false);
    expect(lease.state).toBe('held');
    lease.release();
    const report = await swapping;
    expect(report).toMatchObject({ outcome: 'committed', to: 2 });
  });

  it('refuses a drained replacement under `block` and keeps the lease (G2); revokes it under `revoke` at commit', async () => {
    const c = await host();
    const lease = await c.borrow('tally', 'holder');
    const blocked = await c.swap({ module: fixture('counter-v2'), version: 2 }, { policies: { leases: 'block' } });
    expect(blocked.outcome).toBe('refused');
    expect(blocked.blockers).toContainEqual(expect.objectContaining({ kind: 'lease-outstanding', handle: 'tally' }));
    expect(lease.state).toBe('held');
    expect(await lease.get()).toEqual({ version: 1, count: 0 });

    const revoked = await c.swap({ module: fixture('counter-v2'), version: 2 }, { policies: { leases: 'revoke' } });
    expect(revoked).toMatchObject({ outcome: 'committed', effects: { revoked: ['tally'] } });
    expect(lease.state).toBe('revoked');
    expect(lease.signal.aborted).toBe(true);
    expect(lease.signal.reason).toMatchObject({ code: 'LEASE_REVOKED' });
  });

  it('revokes under `revoke` in an in-worker swap too, as the worker reports it', async () => {
    const c = await host();
    const lease = await c.borrow('tally', 'holder');
    const report = await c.swap(2, { policies: { leases: 'revoke' } });
    expect(report).toMatchObject({ outcome: 'committed', effects: { revoked: ['tally'] } });
    for (let i = 0; i < 100 && lease.state === 'held'; i++) await sleep(10);
    expect(lease.state).toBe('revoked');
  });

  it('moves a transferable lease through an in-worker swap, and refuses to move it into a new worker (cross-isolate)', async () => {
    const c = await host();
    const lease = await c.borrow('shared', 'holder');
    const replaced = await c.swap({ module: fixture('counter-v2'), version: 2 });
    expect(replaced.outcome).toBe('refused');
    expect(replaced.blockers).toContainEqual(expect.objectContaining({ kind: 'cross-isolate' }));
    expect(replaced.blockers[0]!.message).toMatch(/transferable handle 'shared'/);
    expect(lease.state).toBe('held');

    const inWorker = await c.swap(2);
    expect(inWorker).toMatchObject({ outcome: 'committed', effects: { transferred: ['shared'] } });
    expect(lease.state).toBe('held');
    expect(await lease.get()).toBe('shared from v2');
  });

  it('revokes every lease when the worker crashes, and at stop', async () => {
    const c = await host();
    const a = await c.borrow('tally', 'a');
    c.send({ type: 'EXIT' });
    for (let i = 0; i < 200 && c.status !== 'crashed'; i++) await sleep(10);
    expect(c.status).toBe('crashed');
    expect(a.state).toBe('revoked');
    await expect(c.borrow('tally', 'b')).rejects.toMatchObject({ code: 'COMPONENT_CRASHED' });
    expect(await c.restart()).toBe(true);
    const b = await c.borrow('tally', 'b');
    await c.stop();
    expect(b.state).toBe('revoked');
    await expect(c.borrow('tally', 'c')).rejects.toMatchObject({ code: 'COMPONENT_STOPPED' });
  });
});
