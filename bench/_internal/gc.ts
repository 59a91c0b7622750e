/**
 * A way to force a full GC between sections, so garbage from one section is not collected (and
 * timed) inside the next. Uses `global.gc` when node runs with `--expose-gc`; otherwise turns the flag
 * on at run time (V8 allows it) and takes `gc` from a fresh context. Falls back to a no-op.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

function resolveGc(): (() => void) | undefined {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  try {
    setFlagsFromString('--expose-gc');
    const fn = runInNewContext('gc') as unknown;
    return typeof fn === 'function' ? (fn as () => void) : undefined;
  } catch {
    return undefined;
  }
}

const gcFn = resolveGc();

/** Whether {@link collectGarbage} really collects. */
export const gcAvailable = gcFn !== undefined;

/** A full, synchronous GC (twice: the first pass may only queue finalisers), when available. */
export function collectGarbage(): void {
  if (gcFn === undefined) return;
  gcFn();
  gcFn();
}
