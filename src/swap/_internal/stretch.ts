/**
 * The synchronous stretches of a swap: from the call, or the end of a wait, to the next wait — the
 * time the event loop served nothing else. `SwapTransaction` and `swapAll` report the longest one
 * (`blockUs`). Pinned by test/swap/report.test.ts and test/swap/swap-all-slices.test.ts.
 */
export class Stretch {
  /** `performance.now()` when the stretch running now began. */
  since = performance.now();
  /** The longest stretch that ended so far, in µs. */
  longestUs = 0;

  /** A wait begins: the stretch running now ends. */
  waits(): void {
    this.longestUs = Math.max(this.longestUs, Math.round((performance.now() - this.since) * 1000));
  }

  /** The wait is over: a new stretch begins. */
  resumes(): void {
    this.since = performance.now();
  }

  /** Waits for `p` between two stretches. */
  async wait<T>(p: Promise<T>): Promise<T> {
    this.waits();
    try {
      return await p;
    } finally {
      this.resumes();
    }
  }
}

/**
 * A swap's clock: the phases' laps (each phase ends with {@link PhaseClock.lap}), the pause from the
 * hold to the resume (the report's `pauseUs`), and the total since the call.
 */
export class PhaseClock {
  readonly #t0 = performance.now();
  /** The last timing mark (`performance.now()`). */
  #mark = 0;
  #pauseStart: number | undefined;
  pauseUs = 0;

  /** Events are held from now: the pause begins, and a phase with it. */
  pauseBegins(): void {
    this.#pauseStart = this.#mark = performance.now();
  }

  get pausing(): boolean {
    return this.#pauseStart !== undefined;
  }

  /** A phase begins now. */
  mark(): void {
    this.#mark = performance.now();
  }

  /** µs since the last mark, and a new mark: one clock read per phase boundary. */
  lap(): number {
    const now = performance.now();
    const us = Math.round((now - this.#mark) * 1000);
    this.#mark = now;
    return us;
  }

  /** The pause ends at `at` (when one is running). */
  pauseEnds(at: number): void {
    if (this.#pauseStart !== undefined) this.pauseUs = Math.round((at - this.#pauseStart) * 1000);
    this.#pauseStart = undefined;
  }

  /** µs since the swap was asked for. */
  totalUs(): number {
    return Math.round((performance.now() - this.#t0) * 1000);
  }
}

/** Lets the event loop run (I/O, timers) once. */
export const turn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));
