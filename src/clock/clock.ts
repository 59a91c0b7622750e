/**
 * The clock every timer of a live component goes through: XState's delayed events (passed to
 * `createActor({ clock })`), runtime timers, and every deadline of the swap coordinator.
 */
export interface Clock {
  /** Milliseconds on this clock's time line. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The longest delay a Node timer keeps: 2^31 − 1 ms (about 24.8 days). Longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The one definition of remaining time: how long until `dueAt` on the clock that reads `now`, never
 * negative. Used for XState's delays (src/xstate/adapter.ts) and runtime timers (the effect ledger).
 */
export function remainingMs(dueAt: number, now: number): number {
  return Math.max(0, dueAt - now);
}

/** Whether `ms` is a delay a timer can really wait: a number from 0 to {@link MAX_TIMER_MS}. */
export function isTimerDelay(ms: unknown): ms is number {
  return typeof ms === 'number' && ms >= 0 && ms <= MAX_TIMER_MS;
}

/** The real clock: `performance.now()` and the global timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

interface ManualTimer {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
}

/**
 * A clock that only moves when told to, for tests and simulations. Timers fire in due order, ties in
 * the order they were set; a timer set while advancing fires in the same advance if it falls due.
 *
 * @example
 * const clock = new ManualClock();
 * const runtime = createRuntime({ clock });
 * clock.advance(100); // fires everything due in the next 100 ms
 */
export class ManualClock implements Clock {
  #now: number;
  #nextId = 1;
  readonly #timers = new Map<number, ManualTimer>();

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.set(id, { id, due: this.#now + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** How many timers are pending. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`Expected \`ms\` to be a non-negative number, got \`${ms}\``);
    const end = this.#now + ms;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const t of this.#timers.values()) {
        if (t.due <= end && (next === undefined || t.due < next.due || (t.due === next.due && t.id < next.id))) next = t;
      }
      if (next === undefined) break;
      this.#timers.delete(next.id);
      this.#now = Math.max(this.#now, next.due);
      next.fn();
    }
    this.#now = end;
  }

  /** Advances to the next pending timer and fires it (and any due at the same time). False when none. */
  step(): boolean {
    let due = Infinity;
    for (const t of this.#timers.values()) due = Math.min(due, t.due);
    if (due === Infinity) return false;
    this.advance(Math.max(0, due - this.#now));
    return true;
  }
}
