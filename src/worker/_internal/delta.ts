/**
 * Big states across the worker boundary as changes: the worker posts a value (a mirrored snapshot's
 * context, a checkpoint) once whole, then only what changed since the last one it posted, and the
 * main thread's end of the port rebuilds each value from the previous one. Why: a worker acknowledges
 * every event batch with its snapshot (the plugin server answers each request from it) and
 * checkpoints every 100 ms; posting a 1 MB context whole each time meant a 1 MB structured-clone
 * deserialisation on the main thread per batch — 34 requests/s on bench/server.ts's 1 MB server —
 * though a batch changes a few keys.
 *
 * What may be left out is decided exactly, never guessed: a member is skipped only when it is the
 * very object posted last time (XState's `assign` shares what it does not change) *and* it was
 * already deeply frozen when it was posted, so nothing in it can have changed since. Objects not
 * frozen are compared member by member with their members *as posted* (remembered in a shadow of the
 * unfrozen part), so even an object changed in place — XState asks machines not to, some do — is
 * seen. Subtrees become frozen when a swap migrates them (a migration's frozen input is the live
 * context's own objects), when restored from an envelope, or when the user freezes them; a component
 * that freezes nothing posts its changed members only, down to primitives.
 *
 * The rebuilt values share their unchanged subtrees with the previous ones, and everything shared is
 * frozen: what the worker had frozen arrives marked and is frozen once, and every plain object is
 * rebuilt (and frozen) member by member. What is not shared — an array the worker had not frozen,
 * posted again with every change — is left as it arrived: deep-freezing each ack's new parts cost
 * the plugin server's main thread ~8% of its time.
 * Pinned by test/worker/delta.test.ts (and end to end by test/worker/*.test.ts).
 */
import { findProblems, UNSAFE_KEYS } from '../../migrate/_internal/walk.ts';

/**
 * A change to one value: `{ v }` is the new value (`f`: deeply frozen in the worker, so it may be
 * shared by later values); `{ o }` a new plain object made of these members; `{ set, del }` the plain
 * object it was, with only these members changed (each again a change).
 */
export type Change =
  | { readonly v: unknown; readonly f?: true }
  | { readonly o: Readonly<Record<string, Change>> }
  | { readonly set: Readonly<Record<string, Change>>; readonly del?: readonly string[] };

/** A value as posted: the change from the last one posted (the first one: from nothing); `null`: unchanged. */
export type Wire = Change | null;

/** How deep objects are compared member by member; below, a changed object is posted whole. */
const MAX_DEPTH = 16;

const isPlainObject = (x: unknown): x is Record<string, unknown> => {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
};

/** What was posted of one value: the value, whether it was deeply frozen then, and (an unfrozen plain object) its members as they were. */
interface Shadow {
  readonly ref: unknown;
  readonly frozen: boolean;
  readonly members?: ReadonlyMap<string, Shadow>;
}

/** The worker's side, one per stream: remembers what it posted last, as it was when posted. */
export class DeltaEncoder {
  #last: Shadow | undefined;
  #pending: Shadow | undefined;
  /** Objects found deeply frozen (a frozen object stays frozen: a positive answer never expires). */
  readonly #frozen = new WeakSet<object>();

  /** Forget the last value: the next one goes whole. */
  reset(): void {
    this.#last = this.#pending = undefined;
  }

  /** `value` as it should be posted now; {@link DeltaEncoder.commit} once it was posted. */
  encode(value: unknown): Wire {
    const [change, shadow] = this.#last === undefined ? this.#whole(value, 0) : this.#change(this.#last, value, 0);
    this.#pending = shadow;
    return change ?? null;
  }

  /** The last encoded value was posted: it is the base of the next change. */
  commit(): void {
    this.#last = this.#pending;
    this.#pending = undefined;
  }

  /** The change from what `prev` recorded to `next` (`undefined`: none), and `next`'s shadow. */
  #change(prev: Shadow, next: unknown, depth: number): [Change | undefined, Shadow] {
    if (prev.ref === next && (next === null || typeof next !== 'object' || prev.frozen)) return [undefined, prev];
    if (prev.members !== undefined && depth < MAX_DEPTH && isPlainObject(next)) {
      const set = Object.create(null) as Record<string, Change>; // a member may be named `__proto__`
      const members = new Map<string, Shadow>();
      let changed = false;
      for (const k of Object.keys(next)) {
        const was = prev.members.get(k);
        const [c, shadow] = was === undefined ? this.#whole(next[k], depth + 1) : this.#change(was, next[k], depth + 1);
        members.set(k, shadow);
        if (c !== undefined) {
          set[k] = c;
          changed = true;
        }
      }
      const del = [...prev.members.keys()].filter((k) => !Object.hasOwn(next, k));
      const shadow = { ref: next, frozen: this.#deepFrozen(next), members };
      if (del.length > 0) return [{ set, del }, shadow];
      return [changed ? { set } : undefined, shadow];
    }
    return this.#whole(next, depth);
  }

  /**
   * `x` as a new value. An unfrozen plain object goes member by member, so what is frozen inside it is
   * marked frozen (the receiver freezes it, and shares it later); the rest goes as it is.
   */
  #whole(x: unknown, depth: number): [Change, Shadow] {
    if (this.#deepFrozen(x)) return [x !== null && typeof x === 'object' ? { v: x, f: true } : { v: x }, { ref: x, frozen: true }];
    if (depth >= MAX_DEPTH || !isPlainObject(x)) return [{ v: x }, { ref: x, frozen: false }];
    const o = Object.create(null) as Record<string, Change>; // a member may be named `__proto__`
    const members = new Map<string, Shadow>();
    for (const k of Object.keys(x)) {
      const [c, shadow] = this.#whole(x[k], depth + 1);
      o[k] = c;
      members.set(k, shadow);
    }
    return [{ o }, { ref: x, frozen: false, members }];
  }

  /** Whether `x` is frozen all the way down (cached when it is). */
  #deepFrozen(x: unknown): boolean {
    if (x === null || typeof x !== 'object') return true;
    if (this.#frozen.has(x)) return true;
    if (!Object.isFrozen(x)) return false;
    for (const k of Object.keys(x)) if (!this.#deepFrozen((x as Record<string, unknown>)[k])) return false;
    this.#frozen.add(x);
    return true;
  }
}

/**
 * Whether what `wire` brings holds a `__proto__` or `constructor` key (a new member's name, or a key
 * anywhere in a value it replaces). Everything the receiver holds came through some wire, so checking
 * each one's new content checks all of it, and unchanged frozen subtrees are not walked again.
 */
export function bringsUnsafeKey(wire: Wire): boolean {
  const unsafeIn = (x: unknown): boolean => findProblems(x, '', { undefinedFields: false, unsafeKeys: true, limit: 1 }).length > 0;
  const members = (m: Readonly<Record<string, Change>>): boolean => Object.entries(m).some(([k, sub]) => UNSAFE_KEYS.has(k) || inChange(sub));
  const inChange = (c: Change): boolean => ('v' in c ? unsafeIn(c.v) : 'o' in c ? members(c.o) : members(c.set));
  return wire !== null && inChange(wire);
}

/** The receiving side, one per stream: rebuilds each value from the last one. */
export class DeltaDecoder {
  #last: unknown;

  decode(wire: Wire): unknown {
    if (wire !== null) this.#last = apply(this.#last, wire);
    return this.#last;
  }
}

function apply(base: unknown, c: Change): unknown {
  if ('v' in c) return c.f === true ? deepFreeze(c.v) : c.v;
  const out: Record<string, unknown> = 'o' in c ? {} : { ...(base as Record<string, unknown>) };
  if ('set' in c) for (const k of c.del ?? []) delete out[k];
  // defined, not assigned: a member named `__proto__` is data here, not the prototype
  for (const [k, sub] of Object.entries('o' in c ? c.o : c.set)) Object.defineProperty(out, k, { value: apply(out[k], sub), enumerable: true, writable: true, configurable: true });
  return Object.freeze(out);
}

/** Freezes freshly deserialised plain data (objects and arrays) all the way down. */
function deepFreeze<T>(x: T): T {
  if (x === null || typeof x !== 'object' || Object.isFrozen(x)) return x;
  Object.freeze(x);
  for (const k of Object.keys(x)) deepFreeze((x as Record<string, unknown>)[k]);
  return x;
}
