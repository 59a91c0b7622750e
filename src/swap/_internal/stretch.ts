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

/** Lets the event loop run (I/O, timers) once. */
export const turn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));
