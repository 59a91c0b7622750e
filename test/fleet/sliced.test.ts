/**
 * The agent's time-sliced swap runner (src/fleet/_internal/sliced.ts): results in order, at most
 * `concurrency` in flight while tasks wait on I/O (and that many overlap), rejections propagate, and
 * tasks that settle through microtasks alone (as in-process swaps do) no longer run as one block: the
 * event loop turns once every `sliceMs` of their work. Counted in loop turns, never timed.
 */
import { describe, expect, it } from 'vitest';
import { sliced } from '../../src/fleet/_internal/sliced.ts';

const spin = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe('sliced', () => {
  it('keeps order and overlaps I/O-waiting tasks up to the concurrency, never beyond', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await sliced(Array.from({ length: 40 }, (_, i) => i), 8, 4, async (i) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      return i * 2;
    });
    expect(out).toEqual(Array.from({ length: 40 }, (_, i) => i * 2));
    expect(most).toBe(8);
  });

  it('turns the event loop every sliceMs of microtask-only work (a Promise.all group would be one block)', async () => {
    let turns = 0;
    let ticking = true;
    const tick = (): void => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const seen: number[] = [];
    // each task: ≥ 1 ms of synchronous work, then settles through microtasks only
    await sliced(Array.from({ length: 30 }, (_, i) => i), 16, 4, async () => {
      seen.push(turns);
      spin(1);
      await Promise.resolve();
      spin(0.2);
    });
    ticking = false;
    const perTurn = new Map<number, number>();
    for (const t of seen) perTurn.set(t, (perTurn.get(t) ?? 0) + 1);
    // ≥ 1.2 ms each against a 4 ms slice: at most 4 tasks between two turns of the loop, however loaded the machine
    expect(Math.max(...perTurn.values())).toBeLessThanOrEqual(4);
    expect(perTurn.size).toBeGreaterThanOrEqual(8);
  });

  it('propagates a task that rejects, and leaves no other rejection unhandled', async () => {
    const unhandled: unknown[] = [];
    const note = (e: unknown): void => void unhandled.push(e);
    process.on('unhandledRejection', note);
    try {
      await expect(sliced([1, 2, 3], 3, 4, async (i) => {
        await new Promise((r) => setTimeout(r, i));
        throw new Error(`boom ${i}`);
      })).rejects.toThrow('boom 1');
      await new Promise((r) => setTimeout(r, 20)); // the others reject after the first
    } finally {
      process.off('unhandledRejection', note);
    }
    expect(unhandled).toEqual([]);
  });
});
