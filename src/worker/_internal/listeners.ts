/**
 * A set of callbacks whose exceptions are reported, not thrown: a failing observer or listener of a
 * worker-hosted component must not corrupt its bookkeeping nor stop the other callbacks. Split out
 * of host.ts (snapshot observers and `onEvent` listeners); pinned by test/worker/api.test.ts and
 * crash.test.ts through them.
 */
export class Listeners<T> {
  readonly #fns = new Set<(value: T) => void>();
  readonly #report: (error: unknown) => void;

  constructor(report: (error: unknown) => void) {
    this.#report = report;
  }

  add(fn: (value: T) => void): { unsubscribe(): void } {
    this.#fns.add(fn);
    return { unsubscribe: () => this.#fns.delete(fn) };
  }

  /** Calls every callback with `value`; what one throws goes to the report function. */
  emit(value: T): void {
    for (const fn of this.#fns) {
      try {
        fn(value);
      } catch (error) {
        this.#report(error);
      }
    }
  }
}
