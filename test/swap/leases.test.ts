/**
 * Leases under the `revoke` policy: revoked only when they are all that still blocks, and only at the
 * commit point, so a swap refused for any reason leaves them held (G2). (The lease policies themselves —
 * wait, block, revoke, transfer — are in policies.test.ts, `describe('leases')`.)
 */
import { describe, expect, it } from 'vitest';
import { createRuntime, ManualClock, type Blocker } from '../../src/index.ts';
import { flush } from '../_support/async.ts';
import { makeLoader } from '../fixtures/loader.ts';

const kinds = (blockers: readonly Blocker[]) => blockers.map((b) => b.kind);

// Provenance: first review of the coordinator, and the swap-safety property.
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
