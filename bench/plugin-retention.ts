/**
 * What in-process plugin reloads keep: N reloads of a plugin whose module holds ~8 MB of data, through
 * `loadPlugin` and a committed swap each time, and the same N loads without swapping. Reports the main
 * heap's growth after a full GC. Neither is released: an ESM module is never unloaded
 * (nodejs/node#49442), and a component's lineage keeps every version it was extended with. Worker
 * hosting (hotswap/worker) is the way to release old code.
 *
 * Run: npx tsx --conditions=source bench/plugin-retention.ts [--reloads 40]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { assign, setup } from 'xstate';
import { createRuntime, defineVersion, lineage } from '../src/index.ts';
import { loadPlugin } from '../src/plugin/index.ts';
import { collectGarbage, gcAvailable } from './_internal/gc.ts';

const { values } = parseArgs({ options: { reloads: { type: 'string', default: '40' } } });
const reloads = Number(values.reloads);

const machineOf = (n: number) =>
  setup({ types: { context: {} as { v: number; hits: number }, events: {} as { type: 'HIT' } } }).createMachine({
    id: 'bench',
    context: { v: n, hits: 0 },
    on: { HIT: { actions: assign({ hits: ({ context }) => context.hits + 1 }) } },
  });
const api = new URL('../src/index.ts', import.meta.url).href;
const pluginApi = new URL('../src/plugin/index.ts', import.meta.url).href;
const xstate = import.meta.resolve('xstate');

// ~8 MB of module data: 100k small objects the version's invariant closes over
const source = (n: number, salt: string) => `
import { assign, setup } from '${xstate}';
import { defineVersion } from '${api}';
import { definePlugin } from '${pluginApi}';
const table = Array.from({ length: 100_000 }, (_, i) => ({ i, key: 'k' + i + '${salt}' }));
const machine = setup({}).createMachine({ id: 'bench', context: { v: ${n}, hits: 0 }, on: { HIT: { actions: assign({ hits: ({ context }) => context.hits + 1 }) } } });
export default definePlugin({
  component: 'bench', from: ${n - 1},
  version: defineVersion({ version: ${n}, machine, invariant: ({ context }) => (context.v === ${n} && table.length > 0 ? true : [{ path: 'context.v', message: 'v' }]) }),
  link: { up: ({ value, context }) => ({ value, context: { ...context, v: ${n} } }) },
});
`;

const heapMb = (): number => {
  collectGarbage();
  return process.memoryUsage().heapUsed / 1e6;
};

async function run(swap: boolean): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'hotswap-retention-'));
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }');
  const runtime = createRuntime();
  const c = runtime.start(lineage('bench', defineVersion({ version: 1, machine: machineOf(1) })));
  const before = heapMb();
  for (let i = 0; i < reloads; i++) {
    const n = swap ? c.version + 1 : 2;
    const file = join(dir, `p${i}.js`);
    await writeFile(file, source(n, `${swap ? 's' : 'l'}${i}`));
    const r = await loadPlugin(file, { roots: [dir], lineage: c.lineage });
    if (!r.ok) throw new Error(r.refusal.message);
    if (swap && (await c.swap(n, { lineage: r.lineage })).outcome !== 'committed') throw new Error(`swap to v${n} refused`);
  }
  const growth = heapMb() - before;
  await runtime.stop();
  await rm(dir, { recursive: true, force: true });
  return growth;
}

if (!gcAvailable) console.warn('no gc(): numbers include garbage');
const loadOnly = await run(false);
const withSwaps = await run(true);
console.log(`plugin reloads in-process, ${reloads} reloads of a plugin holding ~8 MB of module data (Node ${process.version}):`);
console.log(`  loadPlugin only:             heap +${loadOnly.toFixed(1)} MB (${(loadOnly / reloads).toFixed(2)} MB per reload)`);
console.log(`  loadPlugin + committed swap: heap +${withSwaps.toFixed(1)} MB (${(withSwaps / reloads).toFixed(2)} MB per reload)`);
