/**
 * The layering of src/, checked on every `npm test` (docs/design.md, "Layering"): the core runs
 * runtime → swap → live → ledger → xstate, and migrate → xstate; nothing points up, and no two files
 * of src/ import each other, however indirectly. Type-only imports count too: a type that points up is
 * a dependency that points up.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/**
 * Each folder of src/ (or top-level file) and its layer: a file may import its own folder and any
 * folder of a lower layer, never one of its own layer or above. Read bottom up: the XState boundary,
 * then the ledger and migrate beside each other (neither knows the other), the live core, the store
 * (envelopes: migrate plus hashing), the swap, the journal that records swap reports, the runtime
 * that hosts components; the edges (testing, check, worker, plugin, cli) build on the core.
 */
export const LAYERS: Readonly<Record<string, number>> = {
  // foundation: plain helpers and vocabulary, no XState behaviour
  'errors.ts': 0,
  '_internal': 1,
  'clock': 1,
  'blockers': 1,
  'diagnostics': 2, // the channels the swap and the plugin loader publish to: a leaf under both
  'lineage': 2,
  // the core chain
  'xstate': 3,
  'ledger': 4,
  'migrate': 4,
  'live': 5,
  'store': 6,
  'swap': 7,
  'journal': 8,
  'runtime': 9,
  // the edges: built on the core, nothing in it depends on them
  'testing': 10,
  'inspect': 10, // a client of the runtime's public API and the channels
  'check': 11,
  'worker': 11,
  'fleet': 11, // rollouts across processes: drives live components through the runtime's public API
  'plugin': 12,
  'cli': 13,
  'index.ts': 14,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The part of src/ a file belongs to: its top folder, or the file itself at the top. */
const areaOf = (file: string): string => relative(SRC, file).split(/[\\/]/)[0]!;

/**
 * The imports of one file. `all`: relative ones of every kind (`import`, `import type`, `export … from`,
 * `import()`), resolved to paths. `values`: the static relative ones that load a module — not
 * `import type` / `export type`, which are erased (under `verbatimModuleSyntax` only those are) and so
 * cannot order module evaluation, nor a lazy `import()`. `packages`: the packages it loads statically.
 */
function importsOf(file: string): { all: string[]; values: string[]; packages: string[] } {
  const text = readFileSync(file, 'utf8');
  const all = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  const values: string[] = [];
  const packages: string[] = [];
  for (const st of ts.createSourceFile(file, text, ts.ScriptTarget.Latest).statements) {
    const spec = (ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) && st.moduleSpecifier !== undefined && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : undefined;
    if (spec === undefined) continue;
    const typeOnly = ts.isImportDeclaration(st) ? st.importClause?.isTypeOnly === true : (st as ts.ExportDeclaration).isTypeOnly;
    if (!typeOnly) (spec.startsWith('.') ? values : packages).push(spec);
  }

  const local = (list: string[]): string[] => list.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s));
  return { all: local(all), values: local(values), packages };
}

const files = sourceFiles(SRC);
const parsed = new Map(files.map((f) => [f, importsOf(f)] as const));
const graph = new Map(files.map((f) => [f, parsed.get(f)!.all] as const));
const valueGraph = new Map(files.map((f) => [f, parsed.get(f)!.values] as const));

/**
 * Cycles made of type-only imports that are known and left for now: both in src/testing (its owner
 * is restructuring it), harmless at run time. A new one fails the test like any cycle.
 */
const KNOWN_TYPE_CYCLES = [
  ['testing/_internal/describe.ts', 'testing/reachable.ts'],
  ['testing/swap-commands.ts', 'testing/swap-safety.ts'],
];

/** Every import cycle among the files of src/ (strongly connected components of more than one file, or a self-import). */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(relative(SRC, w));
      } while (w !== v);
      if (scc.length > 1 || graph.get(v)!.includes(v)) out.push(scc.sort());
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return out;
}

describe('layering of src/', () => {
  it('gives every folder of src/ a layer', () => {
    const unknown = [...new Set(files.map(areaOf))].filter((a) => LAYERS[a] === undefined);
    expect(unknown).toEqual([]);
  });

  it('imports only downwards: a folder uses its own files and lower layers, never its layer or above', () => {
    const against: string[] = [];
    for (const [file, imports] of graph) {
      const from = areaOf(file);
      for (const target of imports) {
        const to = areaOf(target);
        if (to === from || to.startsWith('..')) continue;
        if (LAYERS[to]! >= LAYERS[from]!) against.push(`${relative(SRC, file)} → ${relative(SRC, target)} (${from} ${LAYERS[from]} → ${to} ${LAYERS[to]})`);
      }
    }
    expect(against).toEqual([]);
  });

  it('has no import cycle between files', () => {
    expect(cycles(valueGraph)).toEqual([]);
    const key = (c: readonly string[]): string => c.join(' ⇄ ');
    const known = new Set(KNOWN_TYPE_CYCLES.map(key));
    expect(cycles(graph).filter((c) => !known.has(key(c)))).toEqual([]);
  });

  it('loads no fast-check from the root entry: `import "hotswap"` stays light', () => {
    const seen = new Set<string>();
    const loaders: string[] = [];
    const visit = (file: string): void => {
      if (seen.has(file) || !parsed.has(file)) return;
      seen.add(file);
      if (parsed.get(file)!.packages.some((p) => p === 'fast-check' || p.startsWith('@fast-check/'))) loaders.push(relative(SRC, file));
      for (const next of parsed.get(file)!.values) visit(next);
    };
    visit(join(SRC, 'index.ts'));
    expect(seen.size).toBeGreaterThan(30); // the walk followed the entry's imports
    expect(loaders).toEqual([]);
    // and the subpaths that need it do load it
    seen.clear();
    visit(join(SRC, 'check/index.ts'));
    expect(loaders.length).toBeGreaterThan(0);
  });

  it('reaches XState internals only through src/xstate/', () => {
    // `xstate` the package is imported for its public API anywhere; what reaches into its internals
    // (the scheduler, `_scheduledEvents`, `_processingStatus`, the system's registry) lives in one folder.
    const internals = /_scheduledEvents|\.scheduler\b|_processingStatus|_snapshot\b|\._systemId|\._parent\b/;
    const leaks = files.filter((f) => areaOf(f) !== 'xstate' && internals.test(readFileSync(f, 'utf8'))).map((f) => relative(SRC, f));
    expect(leaks).toEqual([]);
  });
});
