/**
 * The plugin loader: every refusal from a real file in a temporary directory, `.ts` plugins, re-imports
 * of a changed file, and the start check's lack of side effects.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnyLineage, createRuntime, isHotswapError, lineage } from '../../src/index.ts';
import { checkPluginExport, definePlugin, loadPlugin, loadPluginOrThrow, PluginRefusalCodes, type LoadPluginResult, type PluginRefusal } from '../../src/plugin/index.ts';
import { counterLineage, counterV1, counterV2, counterVersion } from '../fixtures/counter.ts';
import { COUNTER, counterPlugin, PLUGIN_API, tempPlugins } from './_files.ts';

let tmp: Awaited<ReturnType<typeof tempPlugins>>;
beforeAll(async () => {
  tmp = await tempPlugins();
});
afterAll(() => tmp.cleanup());

let n = 0;
/** Writes `source` as a fresh file in the plugin directory and returns its path. */
const write = async (source: string, ext = '.js'): Promise<string> => {
  const file = join(tmp.dir, `p${++n}${ext}`);
  await writeFile(file, source);
  return file;
};
const load = (file: string, o: { lineage?: AnyLineage; startCheck?: boolean } = { lineage: counterLineage }) =>
  loadPlugin(file, { roots: [tmp.dir], ...o });
const refusal = (r: LoadPluginResult): PluginRefusal => {
  if (r.ok) throw new Error(`expected a refusal, got v${r.plugin.version.version}`);
  return r.refusal;
};

describe('a good plugin', () => {
  it('loads a .js plugin and extends the running lineage with it', async () => {
    const file = await write(counterPlugin(2));
    const r = await load(file);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.plugin.component).toBe('counter');
    expect(r.plugin.from).toBe(1);
    expect(r.plugin.version.version).toBe(2);
    expect(r.lineage?.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(r.lineage?.get(1)).toBe(counterV1); // the running version's object: a swap with this lineage is accepted
    expect(r.file).toBe(file);
  });

  it('loads a .ts plugin through tsx, types and all', async () => {
    const file = await write(counterPlugin(2, { ts: true, extra: 'const typed: number = 2; void typed;' }), '.ts');
    const r = await load(file);
    expect(r.ok && r.plugin.version.version).toBe(2);
  });

  it('re-imports a changed file as new code, and an unchanged one as the module already loaded', async () => {
    const file = await write(counterPlugin(2, { extra: 'export const stamp = 1;' }));
    const a = await load(file);
    const same = await load(file);
    await writeFile(file, counterPlugin(2, { extra: 'export const stamp = 2;' }));
    const changed = await load(file);
    if (!a.ok || !same.ok || !changed.ok) throw new Error('expected all three to load');
    expect(same.plugin).toBe(a.plugin);
    expect(same.hash).toBe(a.hash);
    expect(changed.plugin).not.toBe(a.plugin);
    expect(changed.hash).not.toBe(a.hash);
  });

  it('follows a symlink that stays inside the plugin directory and reports the real file', async () => {
    const real = await write(counterPlugin(2));
    const link = join(tmp.dir, 'link-inside.js');
    await symlink(real, link);
    const r = await load(link);
    expect(r.ok && r.file).toBe(real);
  });

  it('checks only the component without a lineage', async () => {
    const r = await loadPlugin(await write(counterPlugin(5)), { roots: [tmp.dir], component: 'counter' });
    expect(r.ok && r.plugin.version.version).toBe(5);
    expect(r.ok && r.lineage).toBeUndefined();
  });
});

describe('where the file is', () => {
  it('refuses a missing file: not-found', async () => {
    const r = refusal(await load(join(tmp.dir, 'nope.js')));
    expect(r.code).toBe('not-found');
    expect(r.file).toBe(join(tmp.dir, 'nope.js'));
    expect(r.message).toContain('nope.js');
  });

  it("refuses a path that climbs out with '..': outside-roots, and never imports it", async () => {
    const outside = join(tmp.root, 'outside.js');
    await writeFile(outside, "globalThis.__hotswapOutsideRan = true;\n" + counterPlugin(2));
    const r = refusal(await load(join(tmp.dir, '..', 'outside.js')));
    expect(r.code).toBe('outside-roots');
    expect(r.code === 'outside-roots' && r.resolved).toBe(outside);
    expect((globalThis as { __hotswapOutsideRan?: boolean }).__hotswapOutsideRan).toBeUndefined();
  });

  it('refuses a symlink inside the directory that points outside it: outside-roots', async () => {
    const outside = join(tmp.root, 'outside-linked.js');
    await writeFile(outside, counterPlugin(2));
    const link = join(tmp.dir, 'escape.js');
    await symlink(outside, link);
    const r = refusal(await load(link));
    expect(r.code).toBe('outside-roots');
    expect(r.code === 'outside-roots' && r.resolved).toBe(outside);
    expect(r.file).toBe(link);
  });

  it('refuses a directory symlinked into the root that leads outside: outside-roots', async () => {
    const elsewhere = join(tmp.root, 'elsewhere');
    await mkdir(elsewhere);
    await writeFile(join(elsewhere, 'p.js'), counterPlugin(2));
    await symlink(elsewhere, join(tmp.dir, 'sub'));
    expect(refusal(await load(join(tmp.dir, 'sub', 'p.js'))).code).toBe('outside-roots');
  });

  it('refuses the root itself, a directory, and a CommonJS file: unsupported-file / outside-roots', async () => {
    expect(refusal(await load(tmp.dir)).code).toBe('outside-roots'); // the root is not inside itself
    await mkdir(join(tmp.dir, 'adir.js'));
    expect(refusal(await load(join(tmp.dir, 'adir.js'))).code).toBe('unsupported-file');
    expect(refusal(await load(await write('module.exports = {}', '.cjs'))).code).toBe('unsupported-file');
  });

  it('throws INVALID_ARGUMENT for misuse: no roots', async () => {
    await expect(loadPlugin('x.js', { roots: [] })).rejects.toSatisfy((e: unknown) => isHotswapError(e, 'INVALID_ARGUMENT'));
  });
});

describe('importing it', () => {
  it('refuses a JavaScript syntax error: syntax-error, with the error', async () => {
    const r = refusal(await load(await write('export default {;\n')));
    expect(r.code).toBe('syntax-error');
    expect(r.code === 'syntax-error' && r.error.name).toBe('SyntaxError');
  });

  it('refuses a TypeScript syntax error: syntax-error, with the location tsx reports', async () => {
    const file = await write('export const x: number = ;\n', '.ts');
    const r = refusal(await load(file));
    expect(r.code).toBe('syntax-error');
    expect(r.code === 'syntax-error' && r.error.message).toContain(`${file}:1:`);
  });

  it('refuses a module that throws while it is imported: import-threw, with the error', async () => {
    const r = refusal(await load(await write("throw new RangeError('boom at import');\n")));
    expect(r.code).toBe('import-threw');
    expect(r.code === 'import-threw' && r.error).toEqual({ name: 'RangeError', message: 'boom at import' });
    expect(r.message).toContain('boom at import');
  });

  it('refuses a module whose definePlugin call is wrong: import-threw with PLUGIN_INVALID', async () => {
    const source = [
      `import { definePlugin } from '${PLUGIN_API}';`,
      `export default definePlugin({ component: 'counter', from: 1, version: {}, link: { up: 1 } });`,
    ].join('\n');
    const r = refusal(await load(await write(source)));
    expect(r.code).toBe('import-threw');
    expect(r.code === 'import-threw' && r.error.code).toBe('PLUGIN_INVALID');
  });
});

describe('the export', () => {
  it('refuses a module with no plugin export: missing-export', async () => {
    expect(refusal(await load(await write('export const other = 1;\n'))).code).toBe('missing-export');
  });

  it('refuses a hand-built export that breaks the contract: malformed-export, listing every problem', async () => {
    const r = refusal(await load(await write("export const plugin = { kind: 'hotswap.plugin/1', component: '', from: 0, version: { version: 1 }, link: { up: 'x', down: 3 } };\n")));
    expect(r.code).toBe('malformed-export');
    if (r.code !== 'malformed-export') return;
    expect(r.problems).toHaveLength(5);
    expect(r.problems.join('\n')).toMatch(/component[\s\S]*from[\s\S]*version[\s\S]*link\.up[\s\S]*link\.down/);
  });

  it('refuses a plain { from, version, link } without the contract kind: malformed-export', async () => {
    expect(refusal(await load(await write('export default { from: 1, version: 2, link: {} };\n'))).code).toBe('malformed-export');
  });

  it('refuses two different plugins in one module: malformed-export', async () => {
    const source = counterPlugin(2) + `export const plugin = { ...(await import('${PLUGIN_API}')).definePlugin({ component: 'counter', from: 1, version: (await import('${COUNTER}')).counterVersion(2), link: { up: (s) => s } }) };\n`;
    expect(refusal(await load(await write(source))).code).toBe('malformed-export');
  });

  it('checkPluginExport takes the plugin value itself or a namespace, and never throws on a hostile one', () => {
    const plugin = definePlugin({ component: 'counter', from: counterV1, version: counterV2, link: { up: ({ value, context }) => ({ value, context: { ...context, v: 2 } }) } });
    expect(checkPluginExport(plugin, { file: 'f' })).toEqual({ ok: true, plugin });
    expect(checkPluginExport({ plugin }, { file: 'f' })).toEqual({ ok: true, plugin });
    const hostile = Object.defineProperty({}, 'default', { get: () => { throw new Error('no peeking'); } });
    const r = checkPluginExport(hostile, { file: 'f' });
    expect(!r.ok && r.refusal.code).toBe('import-threw');
  });
});

describe('what it carries', () => {
  it('refuses a version of another component: wrong-component', async () => {
    const r = refusal(await load(await write(counterPlugin(2, { component: 'driver' }))));
    expect(r).toMatchObject({ code: 'wrong-component', expected: 'counter', got: 'driver' });
  });

  it('refuses a version that does not extend the running lineage: misfit-version, both ways', async () => {
    const ahead = refusal(await load(await write(counterPlugin(3))));
    expect(ahead).toMatchObject({ code: 'misfit-version', version: 3, from: 2, current: 1 });
    const l2 = lineage('counter', counterV1).next(counterV2, { up: ({ value, context }) => ({ value, context: { ...context, v: 2 } }) });
    const behind = refusal(await load(await write(counterPlugin(2)), { lineage: l2 }));
    expect(behind).toMatchObject({ code: 'misfit-version', version: 2, from: 1, current: 2 });
    expect(behind.message).toContain('already in the lineage');
  });

  it('refuses a machine that cannot start: cannot-start, with the error', async () => {
    const source = [
      `import { definePlugin } from '${PLUGIN_API}';`,
      `import { defineVersion, setup } from '${COUNTER}';`,
      `const machine = setup({}).createMachine({ context: () => { throw new TypeError('no config'); }, initial: 'a', states: { a: {} } });`,
      `export default definePlugin({ component: 'counter', from: 1, version: defineVersion({ version: 2, machine }), link: { up: (s) => s } });`,
    ].join('\n');
    const file = join(tmp.dir, `start-${++n}.js`);
    await writeFile(file, source);
    const r = refusal(await loadPlugin(file, { roots: [tmp.dir], lineage: counterLineage }));
    expect(r).toMatchObject({ code: 'cannot-start', version: 2, error: { name: 'TypeError', message: 'no config' } });
    const unchecked = await loadPlugin(file, { roots: [tmp.dir], lineage: counterLineage, startCheck: false });
    expect(unchecked.ok).toBe(true);
  });

  it('starts no action, timer or invoked actor while checking that a machine can start', async () => {
    const source = [
      `import { definePlugin } from '${PLUGIN_API}';`,
      `import { defineVersion, fromPromise, setup } from '${COUNTER}';`,
      `const g = globalThis; g.__hotswapSideEffects = 0;`,
      `const machine = setup({ actors: { work: fromPromise(async () => { g.__hotswapSideEffects += 100; }) }, actions: { hello: () => { g.__hotswapSideEffects += 1; } } })`,
      `  .createMachine({ context: { v: 2 }, initial: 'a', states: { a: { entry: 'hello', invoke: { src: 'work' }, after: { 10: 'a' } } } });`,
      `export default definePlugin({ component: 'counter', from: 1, version: defineVersion({ version: 2, machine }), link: { up: (s) => s } });`,
    ].join('\n');
    const r = await load(await write(source));
    expect(r.ok).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect((globalThis as { __hotswapSideEffects?: number }).__hotswapSideEffects).toBe(0);
  });

  it("gives a loaded plugin's runtime timers to the component hosting it, though the plugin has its own copy of hotswap", async () => {
    const source = [
      `import { definePlugin } from '${PLUGIN_API}';`,
      `import { defineVersion, setup, startTimer } from '${COUNTER}';`,
      `const machine = setup({ actions: { arm: startTimer('t', { delay: 60_000 }) } })`,
      `  .createMachine({ context: { v: 2, seen: [], by: [] }, initial: 'a', states: { a: { on: { ARM: { actions: 'arm' } } } } });`,
      `export default definePlugin({ component: 'counter', from: 1, version: defineVersion({ version: 2, machine, handlers: { t: () => ({ type: 'T' }) } }), link: { up: ({ value, context }) => ({ value: 'a', context: { ...context, v: 2 } }) } });`,
    ].join('\n');
    const r = await load(await write(source));
    if (!r.ok) throw new Error(r.refusal.message);
    const runtime = createRuntime();
    const c = runtime.start(counterLineage);
    expect((await c.swap(2, { lineage: r.lineage })).outcome).toBe('committed');
    c.send({ type: 'ARM' } as never);
    expect(c.ledger().timers.map((t) => t.name)).toEqual(['t']);
    await runtime.stop();
  });

  it('loadPluginOrThrow throws PLUGIN_REFUSED with the refusal in details', async () => {
    const file = join(tmp.dir, 'missing.js');
    await expect(loadPluginOrThrow(file, { roots: [tmp.dir] })).rejects.toSatisfy(
      (e: unknown) => isHotswapError(e, 'PLUGIN_REFUSED') && (e.details?.['refusal'] as PluginRefusal).code === 'not-found',
    );
  });

  it('names every refusal code it can return', () => {
    expect(PluginRefusalCodes).toEqual(['not-found', 'outside-roots', 'unsupported-file', 'syntax-error', 'import-threw', 'missing-export', 'malformed-export', 'wrong-component', 'misfit-version', 'cannot-start']);
    void counterVersion;
  });
});
