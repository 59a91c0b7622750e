/**
 * The persisted snapshot of a machine, as XState's `getPersistedSnapshot()` returns it: plain JSON.
 */
export interface PersistedChild {
  readonly snapshot: unknown;
  readonly src: unknown;
  readonly systemId?: string | undefined;
  readonly syncSnapshot?: boolean | undefined;
}

/** A persisted machine snapshot (XState v5's JSON form). */
export interface PersistedSnapshot<TValue = unknown, TContext = unknown> {
  readonly status: string;
  readonly value: TValue;
  readonly context: TContext;
  readonly children: Readonly<Record<string, PersistedChild>>;
  readonly historyValue?: Readonly<Record<string, readonly { readonly id: string }[]>>;
  readonly output?: unknown;
  readonly error?: unknown;
  readonly [key: string]: unknown;
}

/** True when `value` has the shape of a persisted machine snapshot. */
export function isPersistedSnapshot(value: unknown): value is PersistedSnapshot {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['status'] === 'string' &&
    'value' in v &&
    'context' in v &&
    (v['children'] === undefined || (typeof v['children'] === 'object' && v['children'] !== null))
  );
}
