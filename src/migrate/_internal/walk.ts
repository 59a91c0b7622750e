/**
 * Walks over plain data. Used for totality (undefined fields) and for unsafe keys.
 * Iterative, cycle-safe, and allocation-light: big states walk once.
 */

/** Keys that turn `JSON.parse` output into a prototype-pollution vector when merged. */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor']);

export interface WalkFinding {
  readonly path: string;
  readonly key: string;
  readonly reason: 'undefined' | 'unsafe-key' | 'marker';
}

/** Joins a dotted path. Array indices are written as numbers: `context.queue.0.id`. */
export function joinPath(base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`;
}

/** The dotted path of `key` under the object of `frame`, from the frames' parents and keys. */
function pathOf(parents: readonly number[], keys: readonly string[], frame: number, key: string): string {
  const parts = [key];
  for (let f = frame; f >= 0; f = parents[f]!) parts.push(keys[f]!);
  return parts.reverse().filter((p) => p !== '').join('.');
}

/**
 * Lists every own property whose value is `undefined` (when `undefinedFields`), every own key named
 * `__proto__` or `constructor` (when `unsafeKeys`) and every own key named `markerKey` (an actor ref's
 * marker in a persisted context), at any depth, up to `limit` findings.
 *
 * With `skip`, the objects in it (and their subtrees) are not entered: a migration's input, recorded
 * as it is frozen, so only what the migration built is walked (a 10 MB state whose migration touches
 * one field walks one field). Paths are built only for findings, and cycles are cut.
 */
export function findProblems(
  root: unknown,
  rootPath: string,
  options: { undefinedFields: boolean; unsafeKeys: boolean; limit?: number; skip?: WeakSet<object> | undefined; markerKey?: string },
): WalkFinding[] {
  const findings: WalkFinding[] = [];
  const limit = options.limit ?? 50;
  if (root === null || typeof root !== 'object') return findings;
  const { skip, markerKey, undefinedFields, unsafeKeys } = options;
  // Made when the walk first goes below the root: a flat object (the common small state) needs none.
  let seen: Set<object> | undefined;
  // Each frame: the object, and how to name it (parent frame index and key) should a finding need it.
  const nodes: object[] = [root];
  const parents: number[] = [-1];
  const keys: string[] = [rootPath];
  const stack: number[] = [0];
  while (stack.length > 0 && findings.length < limit) {
    const frame = stack.pop()!;
    const node = nodes[frame]!;
    if (frame > 0) {
      seen ??= new Set([root]);
      if (seen.has(node)) continue;
      seen.add(node);
    }
    for (const key of Object.keys(node)) {
      if (unsafeKeys && UNSAFE_KEYS.has(key)) {
        findings.push({ path: pathOf(parents, keys, frame, key), key, reason: 'unsafe-key' });
        continue;
      }
      const value = (node as Record<string, unknown>)[key];
      if (key === markerKey) findings.push({ path: pathOf(parents, keys, frame, key), key, reason: 'marker' });
      if (value === undefined) {
        if (undefinedFields) findings.push({ path: pathOf(parents, keys, frame, key), key, reason: 'undefined' });
      } else if (value !== null && typeof value === 'object' && !(skip !== undefined && skip.has(value))) {
        stack.push(nodes.length);
        nodes.push(value);
        parents.push(frame);
        keys.push(key);
      }
    }
  }
  return findings;
}
