/**
 * A main-thread CPU probe: like the loop-lag probe (`loop-probe.ts`), a `setImmediate` chain, but it
 * records the longest stretch of the main thread's own CPU time between two of its turns — what the
 * code (and the garbage collector's work on the main thread) blocked the loop for, without the time
 * the OS kept the process descheduled, which on a shared, loaded machine can exceed 100 ms on its own.
 * Linux only (`/proc/thread-self/schedstat`, read from the main thread; Node 20 has no
 * `process.threadCpuUsage`); elsewhere `available` is false and reads are -1.
 */
import { closeSync, openSync, readSync } from 'node:fs';

export interface CpuProbe {
  readonly available: boolean;
  /** Starts a new window. */
  reset(): void;
  /** The longest main-thread CPU stretch between two turns (ms) since the last reset, after one more turn. */
  read(): Promise<number>;
  stop(): void;
}

export function cpuProbe(): CpuProbe {
  let fd: number | undefined;
  try {
    fd = openSync('/proc/thread-self/schedstat', 'r');
  } catch {
    fd = undefined;
  }
  const buf = Buffer.alloc(96);
  // the first field: ns this thread has run on a CPU
  const cpuNs = (): number => (fd === undefined ? 0 : Number(buf.toString('latin1', 0, readSync(fd, buf, 0, 96, 0)).split(' ')[0]));
  let last = cpuNs();
  let max = 0;
  let on = true;
  const tick = (): void => {
    const now = cpuNs();
    if (now - last > max) max = now - last;
    last = now;
    if (on) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    available: fd !== undefined,
    reset() {
      max = 0;
      last = cpuNs();
    },
    async read() {
      await new Promise<void>((resolve) => setImmediate(resolve));
      await new Promise<void>((resolve) => setImmediate(resolve));
      return fd === undefined ? -1 : max / 1e6;
    },
    stop() {
      on = false;
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
