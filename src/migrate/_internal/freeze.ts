import { MAX_ENVELOPE_DEPTH } from '../../store/_internal/json.ts';

/**
 * Deep freeze that stops at objects already frozen. A migration's input is frozen once; what a
 * migration passes through stays frozen, so the next swap freezes only what changed. (immer's
 * `freeze(x, true)` does the same walk with more generality — Maps, Sets, drafts — than plain
 * persisted JSON needs, at about twice the cost on the swap path.)
 *
 * With `seen`, every object visited is recorded — including frozen ones, where the walk stops (their
 * whole subtree is old data too). The totality check then skips exactly what came from the input,
 * whoever froze it: a migration that returns new frozen objects (immer's `produce`) is still checked.
 *
 * Bounded: an unfrozen object more than `maxDepth` levels below `value` throws {@link TooDeep} (caught by
 * `migrate`, which refuses the state) instead of overflowing the call stack. The default is the depth
 * an envelope allows below `snapshot.context`, so a state that passes is one `persist()` can write.
 */
export function deepFreeze<T>(value: T, seen?: WeakSet<object>, maxDepth = MAX_STATE_DEPTH): T {
  return freezeAt(value, seen, 0, maxDepth);
}

/**
 * How deep a state's `value` or `context` may nest: the envelope's limit (counted from the envelope,
 * where both sit at depth 2). Far below what the call stack takes (about 10,000 levels).
 */
export const MAX_STATE_DEPTH = MAX_ENVELOPE_DEPTH - 2;

/** Thrown by {@link deepFreeze} past its depth limit: the data nests deeper than a state may. */
export class TooDeep extends Error {
  override readonly name = 'TooDeep';
  constructor(readonly maxDepth: number) {
    super(`nests deeper than ${maxDepth} levels`);
  }
}

function freezeAt<T>(value: T, seen: WeakSet<object> | undefined, depth: number, maxDepth: number): T {
  if (value === null || typeof value !== 'object') return value;
  seen?.add(value);
  if (Object.isFrozen(value)) {
    // Frozen already (by an earlier swap, or immer): its subtree is old data, but a link that spreads
    // it passes its children on by themselves — record those too (one level, for small objects), so
    // `{ ...context, x }` over a 10 MB `context.items` walks one new object, not 10 MB.
    if (seen !== undefined) {
      const keys = Object.keys(value);
      if (keys.length <= 1024) {
        for (const key of keys) {
          const child = (value as Record<string, unknown>)[key];
          if (child !== null && typeof child === 'object') seen.add(child);
        }
      }
    }
    return value;
  }
  if (depth > maxDepth) throw new TooDeep(maxDepth);
  Object.freeze(value);
  for (const key of Object.keys(value)) {
    const child = (value as Record<string, unknown>)[key];
    if (child !== null && typeof child === 'object') freezeAt(child, seen, depth + 1, maxDepth);
  }
  return value;
}
