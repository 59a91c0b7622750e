/**
 * The "old code released" loop, run in a child process of its own (it needs `--expose-gc` and a
 * heap nothing else has touched): N reloads of a plugin module holding ~8 MB of module-level data,
 * worker-hosted (each reload a drained replacement by a new worker) or in-process (cache-busted
 * `import()` + `swap` with the extended lineage). Prints one JSON line: main-thread heap growth after
 * a full GC, and timings. Used by bench/reload.ts and test/worker/old-code-released.test.ts.
 *
 *   node --expose-gc --import tsx bench/_internal/reload-loop.ts <worker|inprocess> <reloads>
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRuntime, type AnyLineage } from 'hotswap';
import { hostInWorker } from 'hotswap/worker';

const mode = process.argv[2];
const reloads = Number(process.argv[3] ?? 20);
if ((mode !== 'worker' && mode !== 'inprocess') || !Number.isInteger(reloads) || reloads < 1) {
  throw new Error(`Expected \`<worker|inprocess> <reloads>\`, got \`${process.argv.slice(2).join(' ')}\``);
}
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('Expected node to run with --expose-gc');

/** ~8 MB of objects per module (100,000 small records with distinct strings). */
const RECORDS = 100_000;
const hotswapUrl = import.meta.resolve('hotswap');
const xstateUrl = import.meta.resolve('xstate');
const dir = mkdtempSync(join(tmpdir(), 'hotswap-reload-'));

/**
 * Module i: a plugin carrying `plugin` v(i+2) and its link from v(i+1) (default export), and the
 * lineage v1 … v(i+1) it extends (`lineage`), every machine closing over this module's data. The
 * worker hosts `lineage.extend(plugin)`; in-process, the running lineage is extended by the plugin.
 */
function writePlugin(i: number): string {
  const file = join(dir, `plugin-${i}.mjs`);
  writeFileSync(
    file,
    `import { defineVersion, lineage } from ${JSON.stringify(hotswapUrl)};
import { assign, setup } from ${JSON.stringify(xstateUrl)};
const data = Array.from({ length: ${RECORDS} }, (_, j) => ({ j, s: 'record-' + j + '-of-module-${i}' }));
const make = (version) => defineVersion({
  version,
  machine: setup({}).createMachine({
    id: 'plugin',
    context: { hits: 0 },
    on: { HIT: { actions: assign({ hits: ({ context }) => context.hits + (data.length > 0 ? 1 : 0) }) } },
  }),
});
const link = { up: (s) => s, down: (s) => s };
let l = lineage('plugin', make(1));
for (let v = 2; v <= ${i + 1}; v++) l = l.next(make(v), link);
export { l as lineage };
export default { kind: 'hotswap.plugin/1', component: 'plugin', from: ${i + 1}, version: make(${i + 2}), link };
`,
  );
  return pathToFileURL(file).href;
}

const heapMb = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

const modules = Array.from({ length: reloads + 2 }, (_, i) => writePlugin(i));
const reloadMs: number[] = [];
const pausesUs: number[] = [];
let baseline = 0;
let hits = 0;

if (mode === 'worker') {
  const c = await hostInWorker<{ type: 'HIT' }>({ module: modules[0]!, component: 'plugin' });
  // one warm-up reload before the baseline: the first replacement loads the host's own code paths
  const warm = await c.swap({ module: modules[1]! });
  if (warm.outcome !== 'committed') throw new Error(`reload refused: ${JSON.stringify(warm.blockers)}`);
  baseline = heapMb();
  for (let i = 2; i < reloads + 2; i++) {
    c.send({ type: 'HIT' });
    hits++;
    const t = performance.now();
    const r = await c.swap({ module: modules[i]! });
    reloadMs.push(performance.now() - t);
    if (r.outcome !== 'committed') throw new Error(`reload ${i} refused: ${JSON.stringify(r.blockers)}`);
    pausesUs.push(r.pauseUs);
  }
  await c.stop();
  hits -= (c.getSnapshot().context as { hits: number }).hits === hits ? 0 : Number.NaN;
} else {
  const runtime = createRuntime();
  type Plugin = { default: unknown; lineage: AnyLineage };
  const first = (await import(modules[0]!)) as Plugin;
  let running = first.lineage.extend(first.default);
  const c = runtime.start(running);
  const warm = (await import(modules[1]!)) as Plugin;
  running = running.extend(warm.default);
  await c.swap(3, { lineage: running });
  baseline = heapMb();
  for (let i = 2; i < reloads + 2; i++) {
    c.send({ type: 'HIT' });
    hits++;
    const t = performance.now();
    const mod = (await import(`${modules[i]!}?reload=${i}`)) as Plugin;
    running = running.extend(mod.default);
    const r = await c.swap(i + 2, { lineage: running });
    reloadMs.push(performance.now() - t);
    if (r.outcome !== 'committed') throw new Error(`reload ${i} refused: ${JSON.stringify(r.blockers)}`);
    pausesUs.push(r.pauseUs);
  }
  hits -= (c.getSnapshot().context as { hits: number }).hits === hits ? 0 : Number.NaN;
  await runtime.stop();
}
// the loop's own arrays are a few KB; everything else still reachable is what reloading kept
const growthMb = heapMb() - baseline;
rmSync(dir, { recursive: true, force: true });
const sorted = [...reloadMs].sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({ mode, reloads, growthMb, baselineMb: baseline, hitsOk: Number.isFinite(hits), reloadMsP50: sorted[Math.floor(sorted.length / 2)], pausesUs })}\n`,
);
