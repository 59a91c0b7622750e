/**
 * Work a child *machine* has in flight — its own promise and callback actors — is seen by the swap
 * like the root's: `wait` waits for a nested promise (a restore would start it again), `adopt` refuses
 * it (only the root's promise actors are tracked), `abort` lets the restore start it afresh, and
 * `block` refuses nested callbacks. The ledger lists them by path (`worker/fetch`).
 */
import { describe, expect, it } from 'vitest';
import { createRuntime, ManualClock } from '../../src/index.ts';
import { flush } from '../_support/async.ts';
import { nestedFixture as fixture } from '../fixtures/nested.ts';

describe('in-flight work of child machines', () => {
  it('is listed in the ledger by path', () => {
    const { l } = fixture();
    const c = createRuntime({ clock: new ManualClock() }).start(l, { version: 1 });
    const inFlight = c.ledger().inFlight.map((e) => [e.id, e.logic]);
    expect(inFlight).toEqual([
      ['worker', 'machine'],
      ['worker/listen', 'callback'],
      ['worker/fetch', 'promise'],
    ]);
  });

  it('waits for a nested promise (default `wait`), so the new version does not start it again', async () => {
    const { l, started, settle } = fixture();
    const clock = new ManualClock();
    const c = createRuntime({ clock }).start(l, { version: 1 });
    const swap = c.swap(2, { deadlineMs: 1_000 });
    await flush();
    expect(c.version).toBe(1); // still waiting for worker/fetch
    settle[0]!('payload');
    const report = await swap;
    expect(report.outcome, JSON.stringify(report.blockers)).toBe('committed');
    expect(started).toEqual(['fetch']); // started once, by v1's worker
    expect((c.getSnapshot() as { context: { data: string } }).context.data).toBe('payload@v1');
  });

  it('notices a nested promise settle even when the root sees no change', async () => {
    const { l, started, settle } = fixture({ tellParent: false });
    const clock = new ManualClock();
    const c = createRuntime({ clock }).start(l, { version: 1 });
    const swap = c.swap(2, { deadlineMs: 1_000 });
    await flush();
    settle[0]!('quiet');
    await flush();
    const report = await swap; // before the deadline: the clock never moved
    expect(report.outcome, JSON.stringify(report.blockers)).toBe('committed');
    expect(started).toEqual(['fetch']);
  });

  it('names the nested promise when the deadline passes', async () => {
    const { l } = fixture();
    const clock = new ManualClock();
    const c = createRuntime({ clock }).start(l, { version: 1 });
    const swap = c.swap(2, { deadlineMs: 100 });
    await flush();
    clock.advance(100);
    const report = await swap;
    expect(report.outcome).toBe('refused');
    expect(report.blockers).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'in-flight', id: 'worker/fetch', src: 'fetch', policy: 'wait' })]));
  });

  it('refuses to adopt a nested promise, and aborting one lets the new version start it afresh', async () => {
    const { l, started } = fixture();
    const c = createRuntime({ clock: new ManualClock() }).start(l, { version: 1 });
    const adopt = await c.swap(2, { policies: { promises: 'adopt' } });
    expect(adopt.outcome).toBe('refused');
    expect(adopt.blockers[0]).toMatchObject({ kind: 'in-flight', id: 'worker/fetch' });
    expect(adopt.blockers[0]!.message).toMatch(/child machine 'worker'/);
    const abort = await c.swap(2, { policies: { promises: 'abort' } });
    expect(abort.outcome).toBe('committed');
    expect(abort.effects.aborted).toEqual(['worker/fetch']);
    expect(started).toEqual(['fetch', 'fetch']);
  });

  it('refuses nested callbacks under `block`, and records them restarted otherwise', async () => {
    const { l, settle } = fixture();
    const c = createRuntime({ clock: new ManualClock() }).start(l, { version: 1 });
    settle[0]!('x');
    await flush();
    const blocked = await c.swap(2, { policies: { callbacks: 'block' } });
    expect(blocked.outcome).toBe('refused');
    expect(blocked.blockers[0]).toMatchObject({ kind: 'in-flight', id: 'worker/listen', policy: 'block' });
    const report = await c.swap(2);
    expect(report.outcome).toBe('committed');
    expect(report.effects.restarted).toEqual(['worker/listen']);
  });
});
