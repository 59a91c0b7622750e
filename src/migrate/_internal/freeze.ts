/**
 * The deep freeze of a migration's input: what makes a link that writes to its input a blocker
 * (`migration-mutated-input`) instead of a silent corruption of the old version's state (G2). Stops at
 * what is already frozen, so a swap freezes only what changed. Pinned by test/migrate/blockers.test.ts,
 * test/migrate/only-new.test.ts and test/property/migrate.property.test.ts.
 */
import { CACHE_MIN, MAX_ENVELOPE_DEPTH, plainMember, plainNode } from '../../_internal/json.ts';

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
 *
 * With `plain` (the plain-data cache verify reads, `FROZEN_PLAIN`), each subtree it freezes is also
 * checked for plain data by the envelope's rules in the same pass, and recorded there when it is
 * (with its height, as verify's own walk records it): a fresh 10 MB state pays one walk, not a freeze
 * and then a plain-data walk. Only what is found plain is recorded; anything else is left to verify.
 */
export function deepFreeze<T>(value: T, seen?: WeakSet<object>, maxDepth = MAX_STATE_DEPTH, plain?: WeakMap<object, number>): T {
  if (plain !== undefined && value !== null && typeof value === 'object') {
    freezeMarking(value, seen, 0, maxDepth, plain, { size: 0 });
    return value;
  }
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

/**
 * {@link freezeAt} that also checks, in the same pass, that the subtree is plain data: returns its
 * height when it is (1: no object below), else 0. A subtree found plain is recorded in `plain` when it
 * holds at least `CACHE_MIN` objects (`size` counts them; a recorded one counts `CACHE_MIN`), the rule
 * of verify's walk. A frozen object met is plain only when recorded already.
 */
function freezeMarking(
  value: object,
  seen: WeakSet<object> | undefined,
  depth: number,
  maxDepth: number,
  plain: WeakMap<object, number>,
  count: { size: number },
): number {
  seen?.add(value);
  if (Object.isFrozen(value)) {
    recordChildren(value, seen);
    const height = plain.get(value);
    if (height === undefined) return 0;
    count.size += CACHE_MIN;
    return height;
  }
  if (depth > maxDepth) throw new TooDeep(maxDepth);
  // checked before the freeze touches it (a Proxy's traps run on every access)
  let clean = plainNode(value);
  Object.freeze(value);
  const start = count.size++;
  const keys = Object.keys(value);
  const array = Array.isArray(value);
  // every index present, and nothing else (`Object.keys` lists indices first, ascending): a hole
  // reads as `undefined`, which an array cannot hold, and `Object.keys` skips it
  if (array && (keys.length !== value.length || (keys.length > 0 && keys[keys.length - 1] !== String(keys.length - 1)))) clean = false;
  let height = 1;
  for (const key of keys) {
    const child = (value as Record<string, unknown>)[key];
    if (child !== null && typeof child === 'object') {
      const h = freezeMarking(child, seen, depth + 1, maxDepth, plain, count);
      if (h === 0) clean = false;
      else if (h + 1 > height) height = h + 1;
    } else if (clean && !plainMember(child, array)) clean = false;
  }
  if (!clean) return 0;
  if (count.size - start >= CACHE_MIN) plain.set(value, height);
  return height;
}

/**
 * A frozen object's subtree is old data, but a link that spreads it passes its children on by
 * themselves: record those too (one level, for small objects), so `{ ...context, x }` over a 10 MB
 * `context.items` walks one new object, not 10 MB.
 */
function recordChildren(value: object, seen: WeakSet<object> | undefined): void {
  if (seen === undefined) return;
  // before `Object.keys`: listing a 100,000-item array's indices costs several milliseconds of a pause
  if (Array.isArray(value) && value.length > 1024) return;
  const keys = Object.keys(value);
  if (keys.length > 1024) return;
  for (const key of keys) {
    const child = (value as Record<string, unknown>)[key];
    if (child !== null && typeof child === 'object') seen.add(child);
  }
}

function freezeAt<T>(value: T, seen: WeakSet<object> | undefined, depth: number, maxDepth: number): T {
  if (value === null || typeof value !== 'object') return value;
  seen?.add(value);
  if (Object.isFrozen(value)) {
    // Frozen already (by an earlier swap, or immer): old data, and so are its children
    recordChildren(value, seen);
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
