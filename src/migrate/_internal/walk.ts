/**
 * Walks over plain data. Used for totality (undefined fields) and for unsafe keys.
 * Iterative, cycle-safe, and allocation-light: big states walk once.
 */

/** Keys that turn `JSON.parse` output into a prototype-pollution vector when merged. */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor']);

export interface WalkFinding {
  readonly path: string;
  readonly key: string;
  readonly reason: 'undefined' | 'unsafe-key';
}

/** Joins a dotted path. Array indices are written as numbers: `context.queue.0.id`. */
export function joinPath(base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`;
}

/**
 * Lists every own property whose value is `undefined` (when `undefinedFields`) and every own key named
 * `__proto__` or `constructor` (when `unsafeKeys`), at any depth, up to `limit` findings.
 */
export function findProblems(
  root: unknown,
  rootPath: string,
  options: { undefinedFields: boolean; unsafeKeys: boolean; limit?: number },
): WalkFinding[] {
  const findings: WalkFinding[] = [];
  const limit = options.limit ?? 50;
  if (root === null || typeof root !== 'object') return findings;
  const seen = new Set<object>();
  const stack: Array<[object, string]> = [[root, rootPath]];
  while (stack.length > 0 && findings.length < limit) {
    const [node, path] = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    for (const key of Object.keys(node)) {
      const childPath = joinPath(path, key);
      if (options.unsafeKeys && UNSAFE_KEYS.has(key)) {
        findings.push({ path: childPath, key, reason: 'unsafe-key' });
        continue;
      }
      const value = (node as Record<string, unknown>)[key];
      if (value === undefined) {
        if (options.undefinedFields) findings.push({ path: childPath, key, reason: 'undefined' });
      } else if (value !== null && typeof value === 'object') {
        stack.push([value, childPath]);
      }
    }
  }
  return findings;
}
