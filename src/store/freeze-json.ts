/**
 * The deep freeze of envelopes: plain JSON data, already checked (depth-bounded) by `plainJson`, so a
 * plain recursive walk is enough. It replaces immer's `freeze(x, true)`, the one thing the runtime used
 * immer for. Pinned by test/store/envelope.test.ts (envelopes come back frozen).
 */

/**
 * Deeply freezes data `plainJson` has checked (or copied): plain objects and arrays, nested at most
 * `MAX_ENVELOPE_DEPTH` deep, so the recursion is bounded. Stops at objects already frozen.
 * Envelopes are handed out frozen, so a caller cannot change what the hash covers.
 */
export function freezeJson<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Object.keys(value)) freezeJson((value as Record<string, unknown>)[key]);
  return value;
}
