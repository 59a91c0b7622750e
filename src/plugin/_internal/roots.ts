/**
 * Where a plugin may load from: a file must lie inside one of the host's directories both as written
 * (`..` resolved) and once symlinks are followed, so neither a `../` path nor a link planted in the
 * directory reaches outside it.
 */
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/** True when `path` lies strictly inside `root` (both absolute and normalised). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !isAbsolute(rel) && rel.split(sep)[0] !== '..';
}

/** The roots as absolute paths, and as real paths (roots that do not exist are left out of the latter). */
export async function resolveRoots(roots: readonly string[]): Promise<{ lexical: string[]; real: string[] }> {
  const lexical = roots.map((r) => resolve(r));
  const real: string[] = [];
  for (const r of lexical) {
    try {
      real.push(await realpath(r));
    } catch {
      // a root that does not exist holds no file; nothing resolves inside it
    }
  }
  return { lexical, real };
}
