/**
 * Imports a plugin file through Node's own ESM loader with tsx's hooks, so `.ts` plugins load as `.js`
 * ones do. tsx's loader is registered once per process under its own namespace (tsx's `tsImport`
 * registers a new one per call, which would pile up over a long-running server's reloads) and leaves
 * the rest of the process alone: only imports made through it are transformed.
 *
 * Re-import: the URL carries a hash of the file's content, so a changed file is a new module and an
 * unchanged one is the module already loaded. An ESM module is never unloaded (nodejs/node#49442):
 * every changed version stays in memory until the process ends. Code that must be released is loaded
 * in a worker that is terminated (hotswap/worker).
 *
 * Pinned by test/plugin/load.test.ts (`.ts` plugins, re-imports).
 */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';

type ScopedImport = (specifier: string, parentURL: string) => Promise<unknown>;

let scoped: Promise<ScopedImport | undefined> | undefined;

/**
 * tsx's scoped import, or `undefined` when tsx is not installed: it is an optional peer dependency,
 * needed only for TypeScript plugins, so a server that loads `.js` plugins does not carry it.
 */
const namespaced = (): Promise<ScopedImport | undefined> => {
  scoped ??= import('tsx/esm/api').then(
    ({ register }): ScopedImport => {
      const api = register({ namespace: 'hotswap-plugin' });
      return (specifier, parentURL) => api.import(specifier, parentURL) as Promise<unknown>;
    },
    (error: unknown) => {
      if ((error as { code?: unknown } | null)?.code === 'ERR_MODULE_NOT_FOUND') return undefined;
      throw error;
    },
  );
  return scoped;
};

/** Thrown (and reported as the load's `import-threw` refusal) for a `.ts` plugin when tsx is not installed. */
export class TsxMissing extends Error {
  override readonly name = 'TsxMissing';
  constructor(readonly file: string) {
    super(`Loading the TypeScript plugin ${file} needs the package \`tsx\` (an optional peer dependency of hotswap): npm install tsx`);
  }
}

/** The content hash that names one version of a file's code. */
export function contentHash(content: Uint8Array): string {
  return createHash('sha256').update(content).digest('hex').slice(0, 16);
}

/** Imports the file at `path` (a real, absolute path) as the module for `hash`; resolves to its namespace. */
export async function importPluginFile(path: string, hash: string): Promise<unknown> {
  const load = await namespaced();
  const url = `${pathToFileURL(path).href}?hotswap=${hash}`;
  if (load !== undefined) return load(url, import.meta.url);
  if (/\.m?ts$/u.test(path)) throw new TsxMissing(path);
  return import(url) as Promise<unknown>;
}
