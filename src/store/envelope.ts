/**
 * The persisted envelope: one component instance's state at rest, with the timers it had pending and
 * a content hash, as plain JSON.
 */
import { freezeJson } from './freeze-json.ts';
import type { Snapshot } from 'xstate';
import { type ErrorCode, type ErrorData, HotswapError, describeError } from '../errors.ts';
import { isTimerDelay, MAX_TIMER_MS } from '../clock/clock.ts';
import { findProblems } from '../migrate/_internal/walk.ts';
import { type PersistedSnapshot, isPersistedSnapshot } from '../xstate/persisted.ts';
import { sha256Hex } from '../_internal/canonical.ts';
import { type JsonProblem, plainJson } from '../_internal/json.ts';

/** The `format` tag of every envelope this version of hotswap writes and reads. */
export const ENVELOPE_FORMAT = 'hotswap.envelope/1' as const;

/**
 * A timer that was pending when the envelope was written; the live runtime re-arms it on restore.
 *
 * @example
 * { kind: 'delay', id: 'xstate.after.100.driver.busy', event: { type: 'xstate.after.100.driver.busy' }, delayMs: 100, remainingMs: 40 }
 */
export interface PersistedTimer {
  /** `'delay'` = XState delayed event (`after`); `'timer'` = runtime timer targeting a named handler. */
  readonly kind: 'delay' | 'timer';
  /** delay: XState's scheduled id, e.g. `'xstate.after.100.driver.busy'`; timer: the timer's name. */
  readonly id: string;
  /** delay: the event XState will deliver. Required for `'delay'`. */
  readonly event?: { readonly type: string; readonly [k: string]: unknown };
  /** timer: handler name in the version's `handlers`. Required for `'timer'`. */
  readonly handler?: string;
  /** timer: payload passed to the handler. */
  readonly payload?: unknown;
  /** The full delay as originally scheduled, in ms (0 to 2^31−1, the longest a Node timer can wait). */
  readonly delayMs: number;
  /** Time left when persisted, in ms (0 to 2^31−1: clamp an overdue timer to 0). */
  readonly remainingMs: number;
}

/** One component instance at rest: `{ format, component, version, snapshot, timers, savedAt, hash }`. */
export interface Envelope {
  readonly format: typeof ENVELOPE_FORMAT;
  /** The lineage (component) name, e.g. `driver`. */
  readonly component: string;
  /** The version that wrote `snapshot`. */
  readonly version: number;
  /** XState's persisted snapshot (`actor.getPersistedSnapshot()`), as plain JSON. */
  readonly snapshot: PersistedSnapshot;
  /** Timers pending when saved; carried unchanged through a restore. */
  readonly timers: readonly PersistedTimer[];
  /** When it was written, ISO 8601. */
  readonly savedAt: string;
  /** sha256 (hex) of the canonical JSON (sorted keys) of every other field. */
  readonly hash: string;
}

/** What {@link createEnvelope} needs. */
export interface EnvelopeInput {
  readonly component: string;
  readonly version: number;
  /** `actor.getPersistedSnapshot()` as it comes (checked at run time to be a persisted machine snapshot). */
  readonly snapshot: PersistedSnapshot | Snapshot<unknown>;
  /** @defaultValue [] */
  readonly timers?: readonly PersistedTimer[];
  /** ISO 8601 time of writing. @defaultValue `new Date().toISOString()` */
  readonly savedAt?: string;
}

/** The result of {@link parseEnvelope}: a verified, deeply frozen envelope, or a typed error. */
export type EnvelopeResult = { readonly ok: true; readonly envelope: Envelope } | { readonly ok: false; readonly error: ErrorData };


const FIELDS = new Set(['format', 'component', 'version', 'snapshot', 'timers', 'savedAt', 'hash']);

/**
 * The content hash of an envelope: sha256 (hex) over the canonical JSON of everything except `hash`.
 *
 * @example
 * envelopeHash(envelope) === envelope.hash // true unless tampered with
 */
export function envelopeHash(envelope: Omit<Envelope, 'hash'> | Envelope): string {
  const { hash: _hash, ...body } = envelope as Envelope;
  return sha256Hex(body);
}

/**
 * Builds a hashed, deeply frozen envelope from a persisted snapshot. Throws a {@link HotswapError}
 * on input that {@link parseEnvelope} would refuse later: `INVALID_ARGUMENT` for a bad field,
 * `ENVELOPE_UNSAFE_KEY`, and `ENVELOPE_INVALID` (`details.field` is the path) for data JSON would
 * not keep as it is — a `Map` (would become `{}`), a `Date` (a string), `NaN` or `Infinity` (`null`),
 * a class instance (its prototype), a symbol key (dropped), a BigInt, a function, a Proxy, a cycle, or nesting deeper than
 * 512 levels. An `undefined` object member is dropped, as JSON drops it.
 *
 * @example
 * const envelope = createEnvelope({ component: 'driver', version: 1, snapshot: actor.getPersistedSnapshot() });
 */
export function createEnvelope(input: EnvelopeInput): Envelope {
  // Normalise to exactly what will be on disk, so the object and its file hash the same, and refuse
  // what JSON would change on the way (a Map, a Date, NaN…) rather than save something else (G5).
  const copied = plainJson({
    format: ENVELOPE_FORMAT,
    component: input.component,
    version: input.version,
    snapshot: input.snapshot,
    timers: input.timers ?? [],
    savedAt: input.savedAt ?? new Date().toISOString(),
  });
  if (!copied.ok) {
    const e = jsonProblem(copied.problem);
    throw new HotswapError(e.code, e.message, { details: e.details ?? {} });
  }
  const body = copied.value as Omit<Envelope, 'hash'>;
  const problem = unsafeKey(body) ?? shapeProblem({ ...body, hash: '0'.repeat(64) });
  if (problem !== undefined) {
    throw new HotswapError(problem.code === 'ENVELOPE_INVALID' ? 'INVALID_ARGUMENT' : problem.code, problem.message, {
      details: problem.details ?? {},
    });
  }
  return freezeJson({ ...body, hash: envelopeHash(body) });
}

/**
 * Reads an envelope from JSON text or an already-parsed value and verifies it: readable JSON, plain
 * JSON data nested at most 512 levels deep, no `__proto__` / `constructor` key anywhere, the
 * `hotswap.envelope/1` shape (timer delays at most 2^31−1 ms), and a matching hash.
 * Never throws; the error `code` is one of `ENVELOPE_UNREADABLE`, `ENVELOPE_UNSAFE_KEY`,
 * `ENVELOPE_INVALID`, `ENVELOPE_HASH_MISMATCH`.
 *
 * @example
 * const r = parseEnvelope(await readFile(path, 'utf8'));
 * if (!r.ok) console.error(r.error.code, r.error.message);
 */
export function parseEnvelope(input: unknown): EnvelopeResult {
  const isText = typeof input === 'string';
  let raw: unknown = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch (error) {
      // Not the parser's message: it quotes the text, which may be any file's contents.
      const position = /position (\d+)/.exec(describeError(error).message)?.[1];
      const where = position === undefined ? 'it ends early or is not JSON' : `it stops parsing at position ${position}`;
      return fail('ENVELOPE_UNREADABLE', `Expected the envelope to be JSON, got ${input.length} characters of unparsable text (${where})`, {
        length: input.length,
        ...(position === undefined ? {} : { position: Number(position) }),
      });
    }
  }
  // An object is copied first, reading each property once, so a getter, a Proxy or a cycle is a
  // refusal and what is verified is what is returned; parsed text is only checked (its depth, and
  // numbers like 1e400 that JSON.parse turned into Infinity).
  const copied = plainJson(raw, { copy: !isText });
  if (!copied.ok) return { ok: false, error: jsonProblem(copied.problem) };
  raw = copied.value;
  // Checked on the parsed text itself: JSON.parse makes `__proto__` an own key, which a later spread
  // or merge would turn into a prototype.
  const problem = unsafeKey(raw) ?? shapeProblem(raw);
  if (problem !== undefined) return { ok: false, error: problem };
  const envelope = raw as Envelope;
  const actual = envelopeHash(envelope);
  if (actual !== envelope.hash) {
    return fail('ENVELOPE_HASH_MISMATCH', `Expected the envelope's hash to be \`${actual}\`, got \`${envelope.hash}\` (modified after it was written)`, {
      expected: actual,
      stored: envelope.hash,
    });
  }
  return { ok: true, envelope: freezeJson(envelope) };
}

/**
 * Readable JSON text of an envelope (two-space indent, trailing newline), as the file store writes it.
 *
 * @example
 * await writeFile('driver-1.json', serializeEnvelope(envelope));
 */
export function serializeEnvelope(envelope: Envelope): string {
  return `${JSON.stringify(envelope, null, 2)}\n`;
}

function fail(code: ErrorCode, message: string, details?: Record<string, unknown>): EnvelopeResult {
  return { ok: false, error: details === undefined ? { code, message } : { code, message, details } };
}

function jsonProblem(p: JsonProblem): ErrorData {
  const where = p.path === '' ? 'the envelope' : `\`${p.path.length > 80 ? `${p.path.slice(0, 77)}...` : p.path}\``;
  const message =
    p.depth === undefined
      ? `Expected the envelope to hold only JSON data, got ${p.found} at ${where}`
      : `Expected the envelope to nest at most ${p.depth} levels deep, got deeper at ${where}`;
  const field = p.path === '' ? 'envelope' : p.path;
  const details = p.depth === undefined ? { field } : { field, maxDepth: p.depth };
  return { code: 'ENVELOPE_INVALID', message, details };
}

function unsafeKey(raw: unknown): ErrorData | undefined {
  const [found] = findProblems(raw, '', { undefinedFields: false, unsafeKeys: true, limit: 1 });
  if (found === undefined) return undefined;
  return {
    code: 'ENVELOPE_UNSAFE_KEY',
    message: `Expected no \`${found.key}\` key in an envelope, found one at \`${found.path}\` (prototype pollution)`,
    details: { path: found.path, key: found.key },
  };
}

function shapeProblem(raw: unknown): ErrorData | undefined {
  const invalid = (field: string, expected: string, got: unknown): ErrorData => ({
    code: 'ENVELOPE_INVALID',
    message: `Expected \`${field}\` to be ${expected}, got \`${show(got)}\``,
    details: { field },
  });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return invalid('envelope', 'an object', raw);
  const e = raw as Record<string, unknown>;
  const extra = Object.keys(e).find((k) => !FIELDS.has(k));
  if (extra !== undefined) return invalid(extra, `absent (${ENVELOPE_FORMAT} has no such field)`, e[extra]);
  if (e['format'] !== ENVELOPE_FORMAT) return invalid('format', `'${ENVELOPE_FORMAT}'`, e['format']);
  if (typeof e['component'] !== 'string' || e['component'] === '') return invalid('component', 'a non-empty string', e['component']);
  if (!Number.isSafeInteger(e['version']) || (e['version'] as number) < 1) return invalid('version', 'a positive integer', e['version']);
  if (!isPersistedSnapshot(e['snapshot'])) return invalid('snapshot', 'an XState persisted snapshot `{ status, value, context }`', e['snapshot']);
  if (!Array.isArray(e['timers'])) return invalid('timers', 'an array', e['timers']);
  for (const [i, t] of (e['timers'] as unknown[]).entries()) {
    const p = timerProblem(t);
    if (p !== undefined) return invalid(p.field === '' ? `timers.${i}` : `timers.${i}.${p.field}`, p.expected, p.got);
  }
  if (typeof e['savedAt'] !== 'string' || Number.isNaN(Date.parse(e['savedAt']))) {
    return invalid('savedAt', 'an ISO 8601 date string', e['savedAt']);
  }
  if (typeof e['hash'] !== 'string' || !/^[0-9a-f]{64}$/.test(e['hash'])) return invalid('hash', 'a sha256 hex digest', e['hash']);
  return undefined;
}

function timerProblem(t: unknown): { field: string; expected: string; got: unknown } | undefined {
  if (t === null || typeof t !== 'object') return { field: '', expected: 'an object', got: t };
  const r = t as Record<string, unknown>;
  if (r['kind'] !== 'delay' && r['kind'] !== 'timer') return { field: 'kind', expected: "'delay' or 'timer'", got: r['kind'] };
  if (typeof r['id'] !== 'string' || r['id'] === '') return { field: 'id', expected: 'a non-empty string', got: r['id'] };
  for (const field of ['delayMs', 'remainingMs'] as const) {
    const n = r[field];
    if (!isTimerDelay(n)) {
      // Above 2^31-1 ms Node fires a timer at once (TimeoutOverflowWarning): re-arming it would be a lie.
      return { field, expected: `a number of ms from 0 to ${MAX_TIMER_MS} (the longest a Node timer can wait)`, got: n };
    }
  }
  const event = r['event'] as { type?: unknown } | null | undefined;
  if ((r['kind'] === 'delay' || event !== undefined) && (event === null || typeof event !== 'object' || typeof event.type !== 'string')) {
    return { field: 'event', expected: 'an event `{ type: string }`', got: event };
  }
  if ((r['kind'] === 'timer' || r['handler'] !== undefined) && (typeof r['handler'] !== 'string' || r['handler'] === '')) {
    return { field: 'handler', expected: 'a handler name', got: r['handler'] };
  }
  return undefined;
}

/**
 * A short form of a wrong value for a message. Objects and arrays are not quoted: they may hold the
 * application's state (or, read from a file, anything), which has no place in a log line.
 */
function show(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[…] (${value.length} items)`;
  if (typeof value === 'object') return '{…}';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return typeof value === 'number' || typeof value === 'boolean' || value === undefined ? String(value) : typeof value;
}
