/**
 * The envelope store interface (where envelopes live at rest, one per instance id) and the rule for
 * instance ids, which must be safe as file names. The file store implements it. Pinned by
 * test/store/file-store.test.ts.
 */
import type { ErrorData } from '../errors.ts';
import type { Envelope } from './envelope.ts';

/**
 * The result of loading an envelope: verified and frozen, or a typed error (`ENVELOPE_NOT_FOUND`,
 * `ENVELOPE_UNREADABLE`, `ENVELOPE_UNSAFE_KEY`, `ENVELOPE_INVALID`, `ENVELOPE_HASH_MISMATCH`, `INVALID_ARGUMENT`).
 */
export type LoadResult = { readonly ok: true; readonly envelope: Envelope } | { readonly ok: false; readonly error: ErrorData };

/**
 * Where envelopes live at rest, one per component instance id. {@link createFileStore} is the default;
 * implement this to keep them elsewhere.
 *
 * @example
 * const store: EnvelopeStore = createFileStore('./state');
 */
export interface EnvelopeStore {
  /** Writes the envelope for `id` atomically, replacing any previous one. Throws on I/O failure or a bad id. */
  save(id: string, envelope: Envelope): Promise<void>;
  /** Reads and verifies the envelope for `id`. Never throws. */
  load(id: string): Promise<LoadResult>;
  /** Every instance id with a saved envelope, sorted. */
  list(): Promise<string[]>;
  /** Deletes the envelope for `id`; `true` when there was one. */
  remove(id: string): Promise<boolean>;
}

/** Instance ids: 1–128 of `A-Z a-z 0-9 . _ -`, starting with a letter or digit (so never `.` or `..`). */
const INSTANCE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * True when `id` is a valid instance id: usable as a file name on every platform, no path separators,
 * no traversal.
 *
 * @example
 * isInstanceId('driver-1') // true
 * isInstanceId('../etc/passwd') // false
 */
export function isInstanceId(id: unknown): id is string {
  return typeof id === 'string' && INSTANCE_ID.test(id);
}
