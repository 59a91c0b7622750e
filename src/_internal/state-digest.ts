/**
 * The journal's state hash: a Merkle sha256 over canonical JSON, so a swap of a big state does not
 * re-serialize what it has hashed before. Any array or object whose canonical text exceeds
 * {@link DIGEST_MIN_BYTES} is written, inside its parent, as `#` and its own sha256 (a token no JSON
 * can produce, so no data collides with it); the state hash is the sha256 of the root's text so
 * written. The digest depends on the data alone, frozen or not. What is frozen, though — a subtree
 * frozen at every depth, with no `toJSON` — can never change, so its digest is remembered (a
 * `WeakMap`, held no longer than the subtree): XState contexts are immutable and hotswap freezes
 * them, so a swap re-hashes only what the migration built anew. Envelope hashes are not this (they
 * are persisted: `sha256Hex` of canonical JSON). Pinned by test/journal/state-digest.test.ts.
 */
import { hash } from 'node:crypto';
import { canonicalJson, jsonValue, leafText, membersText, primitiveText } from './canonical.ts';

/** Subtrees whose canonical text is longer than this are replaced by their digest in their parent. */
export const DIGEST_MIN_BYTES = 4096;
/** Past this depth a subtree is written as plain canonical JSON (no digests inside), on an explicit stack. */
const RECURSION_LIMIT = 400;

/** Digests of subtrees frozen at every depth: they cannot change, so neither can their digest. */
const DIGESTS = new WeakMap<object, string>();

/** How many mutable (or `toJSON`) objects the walk has met: a subtree that met none is frozen throughout. */
let mutable = 0;

/**
 * The objects on the path being written (a cycle check), shared by every digest: a swap hashes two
 * states, a `swapAll` 20,000, and a set made for each is garbage the young generation must sweep.
 * Empty between digests; a digest that starts while one runs (a `toJSON` asking for one) gets its own.
 */
const ACTIVE = new Set<object>();
let busy = false;

/** sha256 (hex) of a state, as the journal records it (`beforeHash`, `afterHash`). Throws as `JSON.stringify` would (a cycle, a BigInt). */
export function stateDigest(value: unknown): string {
  const nested = busy;
  busy = true;
  const active = nested ? new Set<object>() : ACTIVE;
  let text: string | undefined;
  try {
    text = write(value, '', active, 0);
  } finally {
    if (!nested) {
      busy = false;
      // not empty only when the walk threw (clearing allocates a table, so only then)
      if (active.size > 0) active.clear();
    }
  }
  if (text === undefined) throw new TypeError(`Cannot write ${typeof value} as JSON`);
  return text.startsWith('#') ? text.slice(1) : hash('sha256', text, 'hex');
}

/** Whether the digest of `value` is remembered (for tests). */
export function isDigestCached(value: object): boolean {
  return DIGESTS.has(value);
}

/** The remembered digest of a subtree frozen throughout, if any. */
export function cachedDigest(value: object): string | undefined {
  return DIGESTS.get(value);
}

/**
 * Remembers the digest of a subtree: the caller (the swap's pre-copy, src/swap/_internal/precopy-walk.ts)
 * wrote its canonical text by the rules of this file, every object in it frozen before it was read,
 * and found the text longer than {@link DIGEST_MIN_BYTES}. test/swap/precopy.test.ts checks that what
 * it records is what {@link stateDigest} computes.
 */
export function noteDigest(value: object, digest: string): void {
  DIGESTS.set(value, digest);
}

function write(raw: unknown, key: string | number, active: Set<object>, depth: number): string | undefined {
  if (raw !== null && typeof raw === 'object') {
    const known = DIGESTS.get(raw);
    if (known !== undefined) return `#${known}`;
    // a frozen leaf (a tuple, a record of primitives): its text at once; never digested (short), never mutable
    const leaf = leafText(raw, DIGEST_MIN_BYTES);
    if (leaf !== undefined) return leaf;
  }
  const v = jsonValue(raw, key);
  if (v === null || typeof v !== 'object') return primitiveText(v);
  if (depth >= RECURSION_LIMIT) return digested(canonicalJson(v));
  if (active.has(v)) throw new TypeError('Converting circular structure to JSON');
  active.add(v);
  const seen = mutable;
  if (v !== raw || !Object.isFrozen(v)) mutable++;
  const out = membersText(v, write, active, depth);
  active.delete(v);
  if (out.length <= DIGEST_MIN_BYTES) return out;
  const digest = hash('sha256', out, 'hex');
  if (mutable === seen) DIGESTS.set(v, digest);
  return `#${digest}`;
}

function digested(text: string): string {
  return text.length <= DIGEST_MIN_BYTES ? text : `#${hash('sha256', text, 'hex')}`;
}
