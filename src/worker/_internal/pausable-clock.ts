/**
 * The clock of a worker's runtime: the system clock, plus `pause()` / `resume()`. Between handing its
 * envelope over and the swap's outcome, the old worker must not move on (a delay firing there would
 * change a state that has already been handed over), so nothing on its clock fires; on a refusal
 * `resume()` re-arms every timer at its *original* due time (G2) — one that fell due meanwhile fires
 * at once, in due order. Tested through test/worker/swap.test.ts.
 */
import type { Clock } from '../../clock/clock.ts';

interface Pending {
  readonly due: number;
  readonly fn: () => void;
  handle: ReturnType<typeof setTimeout> | undefined;
}

export class PausableClock implements Clock {
  #paused = false;
  #next = 1;
  readonly #timers = new Map<number, Pending>();

  now(): number {
    return performance.now();
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    const t: Pending = { due: this.now() + Math.max(0, ms), fn, handle: undefined };
    this.#timers.set(id, t);
    if (!this.#paused) this.#arm(id, t);
    return id;
  }

  clearTimeout(handle: unknown): void {
    const t = this.#timers.get(handle as number);
    if (t === undefined) return;
    clearTimeout(t.handle);
    this.#timers.delete(handle as number);
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Nothing on this clock fires until {@link PausableClock.resume}. */
  pause(): void {
    this.#paused = true;
    for (const t of this.#timers.values()) {
      clearTimeout(t.handle);
      t.handle = undefined;
    }
  }

  /** Re-arms every pending timer at its original due time, overdue ones first in due order. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    const byDue = [...this.#timers].sort((a, b) => a[1].due - b[1].due || a[0] - b[0]);
    for (const [id, t] of byDue) this.#arm(id, t);
  }

  #arm(id: number, t: Pending): void {
    t.handle = setTimeout(() => {
      this.#timers.delete(id);
      t.fn();
    }, Math.max(0, t.due - this.now()));
  }
}
