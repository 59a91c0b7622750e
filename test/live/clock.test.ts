/**
 * Deadlines on the runtime's clock: a deadline already reached needs no timer to fire, so a
 * `ManualClock` that nobody advances still ends every wait.
 */
import { describe, expect, it } from 'vitest';
import { createRuntime, ManualClock } from '../../src/index.ts';
import { isSettled } from '../_support/async.ts';
import { makeLoader } from '../fixtures/loader.ts';

describe('deadlines on a ManualClock', () => {
  it('deadlineMs: 0 refuses a swap that must wait, without advance(0)', async () => {
    const clock = new ManualClock();
    const { loader } = makeLoader();
    const c = createRuntime({ clock }).start(loader, { version: 1 });
    c.send({ type: 'LOAD', url: 'u' });
    const swap = c.swap(2, { deadlineMs: 0 });
    expect(await isSettled(swap)).toBe(true);
    const report = await swap;
    expect(report).toMatchObject({ outcome: 'refused', phase: 'quiesce' });
    expect(report.blockers.map((b) => b.kind)).toEqual(['quiesce-timeout', 'in-flight']);
    expect(clock.pending).toBe(0); // the swap left no deadline timer behind
    expect([c.version, c.status]).toEqual([1, 'running']);
  });

  it('deadlineMs: 0 refuses a precondition that does not answer at once, without advance(0)', async () => {
    const clock = new ManualClock();
    const { loader } = makeLoader();
    const c = createRuntime({ clock }).start(loader, { version: 1 });
    const swap = c.swap(2, { deadlineMs: 0, preconditions: { slow: () => new Promise<boolean>(() => undefined), quick: () => true } });
    expect(await isSettled(swap)).toBe(true);
    expect((await swap).blockers).toEqual([expect.objectContaining({ kind: 'precondition-failed', name: 'slow', reason: 'no answer within 0 ms' })]);
  });
});
