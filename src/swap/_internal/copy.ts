/**
 * A copy of a persisted state's plain structure, for work that must not touch the live actor's objects:
 * migrate deep-freezes what links read, and a persisted snapshot shares its `context` objects with the
 * running actor — a rehearsal or a shadow checkpoint that migrated it in place would freeze the live
 * state (an action mutating an array in place would then fail the actor). Plain objects and arrays are
 * copied; anything else (a `Map`, a `Date`, a class instance) is kept by reference, so the checks that
 * refuse such values see the same values the swap sees. Pinned by test/swap/rehearse.test.ts.
 */
import { MAX_STATE_DEPTH } from '../../migrate/_internal/freeze.ts';

/** `snapshot` with its `value`, `context` (and every plain object or array in them) copied. */
export function copyState<T extends { readonly value?: unknown; readonly context?: unknown }>(snapshot: T): T {
  return { ...snapshot, value: copyPlain(snapshot.value, 0), context: copyPlain(snapshot.context, 0) };
}

function copyPlain(v: unknown, depth: number): unknown {
  // deeper than any state migrate accepts: left as is, and migrate refuses it as too deep
  if (v === null || typeof v !== 'object' || depth > MAX_STATE_DEPTH) return v;
  if (Array.isArray(v)) return v.map((x) => copyPlain(x, depth + 1));
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
  for (const key of Object.keys(v)) out[key] = copyPlain((v as Record<string, unknown>)[key], depth + 1);
  return out;
}
