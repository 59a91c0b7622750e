/**
 * Deep freeze that stops at objects already frozen. A migration's input is frozen once; what a
 * migration passes through stays frozen, so the next swap freezes only what changed. (immer's
 * `freeze(x, true)` does the same walk with more generality — Maps, Sets, drafts — than plain
 * persisted JSON needs, at about twice the cost on the swap path.)
 */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}
