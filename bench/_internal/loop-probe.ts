/**
 * A loop-lag probe: a `setImmediate` chain that records the longest gap between its turns — the
 * longest time the event loop served nothing else. What a server's requests would wait, measured
 * from outside the code under test (not from its own report).
 */
export interface LoopProbe {
  /** Starts a new window. */
  reset(): void;
  /** The longest gap (ms) since the last reset, after letting the probe take one more turn. */
  read(): Promise<number>;
  stop(): void;
}

export function loopProbe(): LoopProbe {
  let last = performance.now();
  let max = 0;
  let on = true;
  const tick = (): void => {
    const now = performance.now();
    if (now - last > max) max = now - last;
    last = now;
    if (on) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    reset() {
      max = 0;
      last = performance.now();
    },
    async read() {
      await new Promise<void>((resolve) => setImmediate(resolve));
      await new Promise<void>((resolve) => setImmediate(resolve));
      return max;
    },
    stop() {
      on = false;
    },
  };
}
