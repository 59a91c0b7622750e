import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth, so equal data always hashes the same whatever order
 * its keys were written in. `undefined` properties are dropped, exactly as `JSON.stringify` drops them.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) {
      // defineProperty, not assignment: a `__proto__` key must stay data, never become a prototype.
      Object.defineProperty(sorted, key, {
        value: (v as Record<string, unknown>)[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return sorted;
  });
}

/** sha256 of {@link canonicalJson}, in hex. */
export function sha256Hex(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
