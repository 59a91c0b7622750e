/**
 * Stable codes for every error hotswap throws. Tell errors apart by `code`, never by message.
 */
export const ErrorCodes = [
  'INVALID_ARGUMENT',
  'LINEAGE_VERSION_ORDER',
  'LINEAGE_MISSING_LINK',
  'LINEAGE_INVALID_VERSION',
  'UNKNOWN_COMPONENT',
  'UNKNOWN_VERSION',
  'CHECK_MODULE_NOT_FOUND',
  'CHECK_MODULE_FAILED',
  'CHECK_NO_LINEAGE',
  'CHECK_SAMPLING_FAILED',
  'CHECK_BASELINE_INVALID',
  'ENVELOPE_UNREADABLE',
  'ENVELOPE_INVALID',
  'ENVELOPE_HASH_MISMATCH',
  'ENVELOPE_UNSAFE_KEY',
  'ENVELOPE_NOT_ACTIVE',
  'ENVELOPE_NOT_FOUND',
  'STORE_IO',
  'MIGRATION_REFUSED',
  'MAILBOX_FULL',
  'COMPONENT_STOPPED',
  'SWAP_REFUSED',
  'START_REFUSED',
  'BORROW_REFUSED',
  'LEASE_REVOKED',
  'TIMER_OUTSIDE_RUNTIME',
  'PERSIST_REFUSED',
  // plugins (hotswap/plugin)
  'PLUGIN_INVALID',
  'PLUGIN_REFUSED',
  // worker-hosted components (hotswap/worker)
  'WORKER_START_FAILED',
  'COMPONENT_CRASHED',
  'POOL_CLOSED',
  'POOL_PISCINA_MISSING',
  // fleet rollouts (hotswap/fleet)
  'FLEET_PG_MISSING',
  'FLEET_SCHEMA_NEWER',
  'GATE_CHECK_INVALID',
] as const;

/** One of {@link ErrorCodes}. */
export type ErrorCode = (typeof ErrorCodes)[number];

/** Plain-data form of a {@link HotswapError}, safe to send across a worker boundary or write to JSON. */
export interface ErrorData {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * The brand every {@link HotswapError} carries. `Symbol.for` gives every copy of this module the same
 * symbol (the package can resolve to `src/` or `dist/`, or be installed twice), where each copy has
 * its own class; fast-check's `PreconditionFailure` is told apart the same way.
 */
const BRAND = Symbol.for('hotswap.HotswapError');

/**
 * The one error class hotswap throws. `code` is stable; `details` carries the data to act on.
 *
 * @example
 * try { lineage.extend(plugin) } catch (e) { if (isHotswapError(e, 'LINEAGE_MISSING_LINK')) … }
 */
export class HotswapError extends Error {
  override readonly name = 'HotswapError';
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details;
    // not enumerable: the brand is for isHotswapError, not for JSON, equality or spreading
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** Plain data, for journals and worker boundaries. */
  toJSON(): ErrorData {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/**
 * A refusal as data, for the result forms (`trySend`, `tryPersist`, …): a {@link HotswapError} becomes
 * `{ ok: false, error }` with its coded data; anything else is not a refusal and is rethrown.
 */
export function refusalOf(error: unknown): { readonly ok: false; readonly error: ErrorData } {
  if (isHotswapError(error)) return { ok: false, error: error.toJSON() };
  throw error;
}

/**
 * True when `error` is a {@link HotswapError}, optionally with the given code — also one thrown by
 * another copy of hotswap (its `src/` and `dist/`, or two installs), which `instanceof` would miss.
 */
export function isHotswapError(error: unknown, code?: ErrorCode): error is HotswapError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { [BRAND]?: unknown })[BRAND] === true &&
    (code === undefined || (error as { code?: unknown }).code === code)
  );
}

/** Renders any thrown value as `{ name, message }` without throwing itself. */
export function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  try {
    return { name: typeof error, message: String(error) };
  } catch {
    return { name: typeof error, message: '<unprintable>' };
  }
}

/** A value as a misuse message shows it: `` `'bogus'` (string) ``, never throwing. */
export function shown(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? `'${value}'` : typeof value === 'function' ? 'a function' : Array.isArray(value) ? 'an array' : String(value);
  } catch {
    text = '<unprintable>';
  }
  return `\`${text}\` (${value === null ? 'null' : typeof value})`;
}
