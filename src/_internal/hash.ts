import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth, so equal data always hashes equal.
 * `undefined` object members are left out, as `JSON.stringify` does.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    // A null prototype keeps an own `__proto__` key an ordinary member instead of a prototype change.
    const sorted: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

/** sha256 (hex) of {@link canonicalJson}: a content hash for snapshots, envelopes and journal entries. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value) ?? 'undefined').digest('hex');
}
