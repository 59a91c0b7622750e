/**
 * The worker runtime's clock: paused between the handover and the swap's outcome, so the old worker
 * stands still; resumed after a refusal with every timer at its original due time (G2).
 */
import { describe, expect, it } from 'vitest';
import { PausableClock } from '../../src/worker/_internal/pausable-clock.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('the pausable clock', () => {
  it('fires nothing while paused, and fires overdue timers at once on resume, in due order', async () => {
    const clock = new PausableClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 20);
    clock.setTimeout(() => fired.push('a'), 10);
    const later = clock.setTimeout(() => fired.push('c'), 400);
    clock.pause();
    await sleep(60);
    expect(fired).toEqual([]);
    const resumedAt = clock.now();
    clock.resume();
    await sleep(5);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.now() - resumedAt).toBeLessThan(100); // not re-armed with their full delay
    clock.clearTimeout(later);
  });

  it('keeps the original deadline of a timer not yet due', async () => {
    const clock = new PausableClock();
    const start = clock.now();
    let firedAt = 0;
    clock.setTimeout(() => (firedAt = clock.now()), 120);
    clock.pause();
    await sleep(100);
    clock.resume();
    await sleep(300);
    expect(firedAt - start).toBeGreaterThanOrEqual(110); // Node timers may fire a ms or two early against performance.now()
    expect(firedAt - start).toBeLessThan(120 + 100); // not shifted by the 100 ms pause
  });
});
