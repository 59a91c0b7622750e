/**
 * The walk behind a swap's pre-copy (src/swap/precopy.ts): one pass over a live context, in steps
 * that stop when a time budget runs out and resume where they stopped, that does ahead of the pause
 * what the pause would otherwise do to a fresh state — deep freeze it (as `migrate` does), and record
 * in the caches the pause reads what it finds: subtrees that are plain data (`FROZEN_PLAIN`, read by
 * verify and by `migrate`'s freeze), subtrees with no actor ref or marker (`MARKER_FREE`, read by the
 * persisted-snapshot walk and by install's revive-free check) and the journal digests of big subtrees
 * (`stateDigest`'s cache). Each cache holds only subtrees frozen throughout, keyed by object identity,
 * so a state built later that shares them (the next context, a migration's output) finds them there.
 *
 * Sound across steps: an object is frozen before its members are read, so nothing this walk has read
 * can change before it finishes; anything it cannot vouch for (a Proxy, an actor ref, a cycle, a
 * non-plain object) keeps the subtrees above it out of the caches, and the pause walks them as it
 * always did. Pinned by test/swap/precopy.test.ts (the caches it fills agree with the walks that
 * read them: `stateDigest`, `plainJson`, `deepFreeze`).
 */
import { createHash, type Hash } from 'node:crypto';
import { types } from 'node:util';
import { CACHE_MIN, FROZEN_PLAIN, plainMember, plainNode } from '../../_internal/json.ts';
import { leafText, primitiveText, quoted, sortedKeys } from '../../_internal/canonical.ts';
import { cachedDigest, DIGEST_MIN_BYTES, noteDigest } from '../../_internal/state-digest.ts';
import { MAX_STATE_DEPTH } from '../../migrate/_internal/freeze.ts';
import { isActorRef, isMarker, isMarkerFree, MARKER_FREE_MIN, noteMarkerFree } from '../../xstate/adapter.ts';

/** Canonical text past this many characters goes into the frame's running hash rather than a growing string. */
const SPILL = 65_536;
/** How many members a step handles between two reads of the clock. */
const CHECK_EVERY = 128;
/** Arrays up to this long are checked for own non-index members (see `#enter`). */
const ARRAY_KEYS_MAX = 1024;
/** Ancestors past this many are also kept in a set (a cycle check by scan costs the depth). */
const SCAN_MAX = 32;

/** One object being walked. Frames are reused by depth (a 10 MB state has ~300,000 objects, and as many frames would be garbage). */
interface Frame {
  node: object;
  /** Object keys in canonical order; `undefined` for an array (read by index). */
  keys: readonly string[] | undefined;
  length: number;
  next: number;
  /** Whether this walk freezes below this object: not below one found frozen already (`deepFreeze`'s rule). */
  freezing: boolean;
  /** Every object of the subtree so far is frozen. */
  frozen: boolean;
  /** The subtree so far is plain JSON data (then `text` is its canonical text so far). */
  plain: boolean;
  /** No actor ref and no marker in the subtree so far. */
  markerFree: boolean;
  /** Height (1: no object below) and object count (a cached subtree counts `CACHE_MIN`), as verify's walk counts them. */
  height: number;
  size: number;
  /** Canonical text written so far (after what went into `hash`), its total length, and whether a member is written. */
  text: string;
  length16: number;
  hash: Hash | undefined;
  written: boolean;
}

/** What a finished walk found about its root. */
export interface PrecopyResult {
  /** The root is frozen throughout, plain data, with no actor ref or marker: recorded in every cache its size qualifies for. */
  readonly clean: boolean;
  /** How many objects were walked (a subtree taken from the caches is not counted). */
  readonly objects: number;
}

/**
 * A pre-copy walk of one root (a context), run by {@link PrecopyWalk.step} until it returns a result.
 * Never throws on the data: a getter that throws ends the walk with what it recorded so far.
 */
export class PrecopyWalk {
  /** Frames by depth: the first `#depth` are the objects being walked, root first. */
  readonly #frames: Frame[] = [];
  #depth = 0;
  #deep: Set<object> | undefined;
  #objects = 0;
  #result: PrecopyResult | undefined;

  constructor(root: unknown) {
    if (root === null || typeof root !== 'object' || !this.#enter(root, true)) this.#result = { clean: false, objects: 0 };
  }

  /**
   * Walks until done, until `performance.now()` passes `until`, or after `members` members (a budget that
   * does not depend on the machine's speed): the result when done, else `undefined`.
   */
  step(until: number, members = Number.POSITIVE_INFINITY): PrecopyResult | undefined {
    if (this.#result !== undefined) return this.#result;
    try {
      this.#run(until, members);
    } catch {
      // a getter or trap that threw: the pause will meet it again and refuse with a blocker; nothing above it is cached
      this.#depth = 0;
      this.#result = { clean: false, objects: this.#objects };
    }
    return this.#result;
  }

  #run(until: number, members: number): void {
    const frames = this.#frames;
    let n = 0;
    for (;;) {
      const f = frames[this.#depth - 1]!;
      if (f.next >= f.length) {
        const text = this.#leave(f);
        this.#depth--;
        if (this.#depth >= SCAN_MAX) this.#deep!.delete(f.node);
        if (this.#depth === 0) {
          this.#result = { clean: f.frozen && f.plain && f.markerFree, objects: this.#objects };
          return;
        }
        const parent = frames[this.#depth - 1]!;
        parent.frozen &&= f.frozen;
        parent.markerFree &&= f.markerFree;
        if (f.height + 1 > parent.height) parent.height = f.height + 1;
        parent.size += f.size;
        if (parent.plain) {
          if (text === undefined) parent.plain = false;
          else append(parent, parent.keys === undefined ? undefined : parent.keys[parent.next - 1]!, text);
        }
        continue;
      }
      if (++n > members || (n % CHECK_EVERY === 0 && performance.now() >= until)) return;
      const i = f.next++;
      const key = f.keys === undefined ? undefined : f.keys[i]!;
      const raw: unknown = (f.node as Record<string, unknown>)[key ?? i];
      if (raw === null || typeof raw !== 'object') {
        if (!f.plain) continue;
        if (!plainMember(raw, f.keys === undefined)) f.plain = false;
        else if (raw !== undefined) append(f, key, primitiveText(raw)!);
        continue;
      }
      this.#member(f, key, raw);
    }
  }

  /** An object member of `f`: taken from the caches, or entered. */
  #member(f: Frame, key: string | undefined, child: object): void {
    // a Proxy's traps run on every read (and `in` is one): not touched, not vouched for
    if (types.isProxy(child) || isActorRef(child)) {
      f.plain = f.markerFree = f.frozen = false;
      return;
    }
    const height = FROZEN_PLAIN.get(child);
    const digest = height === undefined ? undefined : cachedDigest(child);
    if (digest !== undefined && isMarkerFree(child) && this.#depth + height! - 1 <= MAX_STATE_DEPTH) {
      if (height! + 1 > f.height) f.height = height! + 1;
      f.size += CACHE_MIN;
      if (f.plain) append(f, key, `#${digest}`);
      return;
    }
    if (f.plain && this.#depth <= MAX_STATE_DEPTH && (Array.isArray(child) || !isMarker(child))) {
      // a frozen leaf (a tuple, a record of primitives: most objects of a state): its text at once, no
      // frame; what a frame would write and record (a leaf is one object: never cached on its own)
      const text = leafText(child, DIGEST_MIN_BYTES);
      if (text !== undefined) {
        this.#objects++;
        if (f.height < 2) f.height = 2;
        f.size++;
        append(f, key, text);
        return;
      }
    }
    if (this.#onPath(child) || this.#depth > MAX_STATE_DEPTH) {
      // a cycle (JSON cannot write it), or deeper than a state may nest: the pause refuses it as it always did
      f.plain = f.markerFree = f.frozen = false;
      return;
    }
    if (!this.#enter(child, f.freezing)) f.plain = f.markerFree = f.frozen = false;
  }

  /** Pushes the frame of `node`, freezing it first (when this walk freezes here); false when it cannot be walked. */
  #enter(node: object, freezing: boolean): boolean {
    if (types.isProxy(node) || isActorRef(node)) return false;
    const wasFrozen = Object.isFrozen(node);
    let plain = plainNode(node);
    if (!wasFrozen && freezing) Object.freeze(node);
    const array = Array.isArray(node);
    let keys: readonly string[] | undefined;
    let length: number;
    if (array) {
      length = node.length;
      // An own non-index member of an array is no JSON data, and would escape this walk's freeze by index:
      // looked for where this walk froze the array, as `migrate`'s freeze does — up to ARRAY_KEYS_MAX
      // items. Listing a 144,000-item array's keys takes 9–50 ms in one step; past that size such a member
      // (never persisted, invisible to every check and hash) is left unfrozen.
      if (plain && !wasFrozen && freezing && length <= ARRAY_KEYS_MAX && Object.keys(node).length !== length) plain = false;
    } else {
      keys = plain ? sortedKeys(node) : Object.keys(node);
      length = keys.length;
    }
    this.#objects++;
    if (this.#depth >= SCAN_MAX) (this.#deep ??= new Set()).add(node);
    const f = (this.#frames[this.#depth++] ??= blankFrame());
    f.node = node;
    f.keys = keys;
    f.length = length;
    f.next = 0;
    f.freezing = freezing && !wasFrozen;
    f.frozen = Object.isFrozen(node);
    f.plain = plain;
    // the marker walk reads inherited members too (`for … in`): only plain objects are vouched for
    f.markerFree = plain && (array || !isMarker(node));
    f.height = 1;
    f.size = 1;
    f.text = array ? '[' : '{';
    f.length16 = 1;
    f.hash = undefined;
    f.written = false;
    return true;
  }

  /** Records what the frame found in the caches it qualifies for; returns its text for the parent (`undefined`: not plain). */
  #leave(f: Frame): string | undefined {
    const whole = f.frozen;
    if (whole && f.markerFree && f.size >= MARKER_FREE_MIN) noteMarkerFree(f.node);
    if (!f.plain) return undefined;
    if (whole && f.size >= CACHE_MIN) FROZEN_PLAIN.set(f.node, f.height);
    const close = f.keys === undefined ? ']' : '}';
    if (f.hash === undefined && f.length16 + 1 <= DIGEST_MIN_BYTES) return f.text + close;
    const digest = (f.hash ?? createHash('sha256')).update(f.text + close).digest('hex');
    f.text = '';
    if (whole) noteDigest(f.node, digest);
    return `#${digest}`;
  }

  #onPath(node: object): boolean {
    const n = Math.min(this.#depth, SCAN_MAX);
    for (let i = 0; i < n; i++) if (this.#frames[i]!.node === node) return true;
    return this.#deep !== undefined && this.#deep.has(node);
  }
}

function blankFrame(): Frame {
  return { node: BLANK, keys: undefined, length: 0, next: 0, freezing: false, frozen: false, plain: false, markerFree: false, height: 1, size: 1, text: '', length16: 0, hash: undefined, written: false };
}
const BLANK = Object.freeze({});

/** Appends one member's text to a frame (`key` undefined in an array), spilling long text into its hash. */
function append(f: Frame, key: string | undefined, text: string): void {
  const member = key === undefined ? text : `${quoted(key)}:${text}`;
  const piece = f.written ? `,${member}` : member;
  f.written = true;
  f.text += piece;
  f.length16 += piece.length;
  if (f.text.length > SPILL) {
    (f.hash ??= createHash('sha256')).update(f.text);
    f.text = '';
  }
}
