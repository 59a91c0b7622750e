/**
 * The watched plugin directory for a worker-hosted component: real files written into a temporary
 * directory (in chunks), checked for where they are on the main thread and imported only by the
 * candidate worker of each swap; a broken file refused while the old worker keeps serving; and G1
 * across a reload loop. Each worker start costs ~1–3 s from the sources, so the runs are few.
 */
import { rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type PluginEvent, type PluginWatcher, watchPlugins, type WatchPluginsOptions } from '../../src/plugin/index.ts';
import { hostInWorker, type WorkerComponent } from '../../src/worker/index.ts';
import { fcParams } from '../_support/fc.ts';
import type { CounterEvent } from '../fixtures/worker/counter.ts';
import { contextOf, fixture, until } from '../worker/_support.ts';
import { PLUGIN_API, tempPlugins, writeInChunks } from './_files.ts';

const WORKER_COUNTER = new URL('../fixtures/worker/counter.ts', import.meta.url).href;
const SRC = new URL('../../src/index.ts', import.meta.url).href;

/**
 * A self-contained worker plugin file carrying counter v`n`: it re-exports the lineage v1 … v(n-1) it
 * extends and default-exports the plugin for v`n`. Importing it counts on `globalThis.hotswapImported`
 * of whichever thread imports it.
 */
function workerPlugin(n: number, o: { broken?: boolean } = {}): string {
  return [
    `import { definePlugin } from '${PLUGIN_API}';`,
    `import { defineVersion } from '${SRC}';`,
    `import { counter1, counter2, counterV2, v1to2 } from '${WORKER_COUNTER}';`,
    `globalThis.hotswapImported = (globalThis.hotswapImported ?? 0) + 1;`,
    `const same = { up: (s) => s, down: (s) => s };`,
    `const at = (k) => (k === 2 ? counterV2 : defineVersion({ version: k, machine: counterV2.machine }));`,
    `let base = ${n === 2 ? 'counter1' : 'counter2'};`,
    `for (let k = 3; k < ${n}; k++) base = base.next(at(k), same);`,
    `export { base as lineage };`,
    `export default definePlugin({ component: 'counter', from: ${n - 1}, version: at(${n}), link: ${n === 2 ? 'v1to2' : 'same'} })${o.broken === true ? ' +' : ''};`,
    '',
  ].join('\n');
}

let tmp: Awaited<ReturnType<typeof tempPlugins>>;
let counter: WorkerComponent<CounterEvent>;
let watcher: PluginWatcher | undefined;
let events: PluginEvent[];

beforeEach(async () => {
  tmp = await tempPlugins();
  counter = await hostInWorker<CounterEvent>({ module: fixture('counter-v1'), component: 'counter' });
  events = [];
  watcher = undefined;
});
afterEach(async () => {
  await watcher?.close();
  await counter.stop();
  await tmp.cleanup();
});

const FAST = { stableMs: 80, pollMs: 15 } as const;
const watch = async (o: Partial<WatchPluginsOptions> = {}): Promise<PluginWatcher> => {
  watcher = watchPlugins(tmp.dir, { component: counter, onEvent: (e) => events.push(e), ...FAST, ...o });
  await watcher.ready;
  return watcher;
};
const file = (n: number | string): string => join(tmp.dir, typeof n === 'number' ? `counter-v${n}.js` : n);

async function waitFor<T extends PluginEvent['type']>(type: T, match: (e: Extract<PluginEvent, { type: T }>) => boolean = () => true, ms = 20_000): Promise<Extract<PluginEvent, { type: T }>> {
  const limit = Date.now() + ms;
  for (;;) {
    const e = events.find((x): x is Extract<PluginEvent, { type: T }> => x.type === type && match(x as Extract<PluginEvent, { type: T }>));
    if (e !== undefined) return e;
    if (Date.now() > limit) throw new Error(`no '${type}' event; got ${JSON.stringify(events.map((x) => x.type))}`);
    await sleep(10);
  }
}
const swaps = () => events.filter((e) => e.type === 'swap-committed' || e.type === 'swap-refused').map((e) => `${e.type === 'swap-committed' ? 'ok' : 'no'} ${(e as { from: number }).from}→${(e as { to: number }).to}`);
const imported = (): unknown => (globalThis as { hotswapImported?: unknown }).hotswapImported;

describe('a worker-hosted component', () => {
  it('swaps to v2 then v3, each copied in chunks, in order, in new workers, never importing a file on the main thread', async () => {
    await watch();
    const first = counter.threadId;
    await writeInChunks(file(2), workerPlugin(2), 4, 30);
    await waitFor('swap-committed', (e) => e.to === 2);
    counter.send({ type: 'ADD', n: 1 });
    const second = counter.threadId;
    await writeInChunks(file(3), workerPlugin(3), 5, 30);
    const c3 = await waitFor('swap-committed', (e) => e.to === 3);
    counter.send({ type: 'ADD', n: 2 });
    await until(counter, (s) => (s.context as { log: number[] }).log.length === 2);

    expect(events.filter((e) => e.type === 'load-refused')).toEqual([]); // no half-written file was taken
    expect(events.filter((e) => e.type === 'loaded').map((e) => [(e as { version: number }).version, (e as { from?: number }).from])).toEqual([[2, undefined], [3, undefined]]);
    expect(swaps()).toEqual(['ok 1→2', 'ok 2→3']);
    expect(c3.file).toBe(file(3));
    expect(counter.version).toBe(3);
    expect(counter.module).toMatch(/counter-v3\.js$/);
    expect(new Set([first, second, counter.threadId]).size).toBe(3);
    expect(contextOf(counter)).toMatchObject({ log: [1, 2], seen: 2 });
    expect(imported()).toBeUndefined(); // only the workers imported the plugin files
    expect((await counter.journal.entries()).map((e) => `${e.from}→${e.to} ${e.outcome}`)).toEqual(['1→2 committed', '2→3 committed']);
    expect(watcher!.lineage).toBeUndefined();
  }, 60_000);

  it('on probation, emits probation-ended after swap-committed when the new worker fails at once, and does not swap to it again', async () => {
    // health fails on the migrated state itself: the rollback may end before the watcher hears of the commit
    await watch({ swap: { probation: { ms: 30_000, health: () => 'v2 is unhealthy' } } });
    await writeFile(file(2), workerPlugin(2));
    const c2 = await waitFor('swap-committed', (e) => e.to === 2);
    const ended = await waitFor('probation-ended');
    expect(ended).toMatchObject({ file: file(2), from: 1, to: 2, outcome: { outcome: 'rolled-back', swapId: c2.report.id, cause: { kind: 'health', reason: 'v2 is unhealthy' } } });
    expect(events.indexOf(c2)).toBeLessThan(events.indexOf(ended));
    await watcher!.idle();
    await sleep(300);
    expect([swaps(), counter.version]).toEqual([['ok 1→2'], 1]); // not committed and rolled back in a loop
    counter.send({ type: 'ADD', n: 1 });
    await until(counter, (s) => (s.context as { log: number[] }).log.length === 1);
  }, 60_000);

  it('on probation, a removed running file still reverts: the swap down runs inside the worker, without probation (which needs a drained replacement)', async () => {
    const errors: unknown[] = [];
    await watch({ onRemove: 'revert', onError: (e) => errors.push(e), swap: { probation: { ms: 50 } } });
    await writeFile(file(2), workerPlugin(2));
    await waitFor('probation-ended', (e) => e.to === 2);
    await writeFile(file(3), workerPlugin(3));
    await waitFor('probation-ended', (e) => e.to === 3);
    await rm(file(3));
    const down = await waitFor('swap-committed', (e) => e.to === 2 && e.from === 3);
    expect(down.report.outcome).toBe('committed');
    expect([swaps(), counter.version, errors]).toEqual([['ok 1→2', 'ok 2→3', 'ok 3→2'], 2, []]);
    expect(events.filter((e) => e.type === 'probation-ended').map((e) => (e as { to: number }).to)).toEqual([2, 3]); // none for the swap down
  }, 60_000);

  it('refuses a file that does not parse (as the candidate worker found it), the old worker keeps serving, and takes the fixed file', async () => {
    await watch();
    counter.send({ type: 'ADD', n: 1 });
    const before = counter.threadId;
    await writeFile(file(2), workerPlugin(2, { broken: true }));
    const refused = await waitFor('load-refused');
    const swap = await waitFor('swap-refused');
    expect(refused).toMatchObject({ file: file(2), refusal: { code: 'syntax-error', file: file(2) } });
    expect(swap.blockers.map((b) => b.kind)).toEqual(['candidate-failed']);
    expect(counter.threadId).toBe(before);
    expect(counter.version).toBe(1);
    counter.send({ type: 'ADD', n: 2 });
    await until(counter, (s) => (s.context as { log: number[] }).log.length === 2);
    expect(contextOf(counter).log).toEqual([1, 2]);

    await writeFile(file(2), workerPlugin(2));
    await waitFor('swap-committed', (e) => e.to === 2);
    expect(swaps()).toEqual(['no 1→2', 'ok 1→2']);
    expect(contextOf(counter).log).toEqual([1, 2]);
  }, 60_000);

  it('refuses on the main thread, without a worker, a file that does not name its version or lies outside the roots', async () => {
    const outside = join(tmp.root, 'counter-v2.js');
    await writeFile(outside, workerPlugin(2));
    await watch();
    await writeFile(file('counter.js'), workerPlugin(2));
    await symlink(outside, file(3));
    const unnamed = await waitFor('load-refused', (e) => e.file === file('counter.js'));
    const linked = await waitFor('load-refused', (e) => e.file === file(3));
    await watcher!.idle();
    expect(unnamed.refusal).toMatchObject({ code: 'unsupported-file' });
    expect(linked.refusal).toMatchObject({ code: 'outside-roots', resolved: outside });
    expect(swaps()).toEqual([]);
    expect(counter.version).toBe(1);
  }, 30_000);
});

/** A module named as a counter plugin whose lineage is not what its name says: `lineage(name, v<versions>…)`. */
function lineageFile(name: string, versions: readonly number[]): string {
  return [
    `import { defineVersion, lineage } from '${SRC}';`,
    `import { counterV2 } from '${WORKER_COUNTER}';`,
    `const at = (k) => defineVersion({ version: k, machine: counterV2.machine });`,
    `let l = lineage('${name}', at(${versions[0]}));`,
    ...versions.slice(1).map((k) => `l = l.next(at(${k}), { up: (s) => s, down: (s) => s });`),
    `export { l as lineage };`,
    '',
  ].join('\n');
}

describe('the candidate worker checks what a file carries, not what its name says', () => {
  it('refuses, naming the file, a file whose plugin is another version than its name, one that does not extend the running version, and one of another component; the old worker keeps serving', async () => {
    await watch();
    counter.send({ type: 'ADD', n: 1 });
    const before = counter.threadId;

    await writeFile(file(3), workerPlugin(2)); // named v3, carries v2 (from v1)
    const lying = await waitFor('load-refused', (e) => e.file === file(3));
    expect(lying.refusal).toMatchObject({ code: 'misfit-version', file: file(3), version: 3, current: 1 });
    expect(lying.refusal.message).toMatch(/counter-v3\.js.*newest version is 2 \(its plugin carries v2 from v1\)/);
    await watcher!.idle();
    await rm(file(3));

    await writeFile(file(2), lineageFile('counter', [2])); // a lineage that does not hold the running v1
    const unrelated = await waitFor('load-refused', (e) => e.file === file(2));
    expect(unrelated.refusal).toMatchObject({ code: 'misfit-version', file: file(2), version: 2, current: 1 });
    expect(unrelated.refusal.message).toMatch(/counter@1 \(running now\) is not in this module's lineage/);
    await watcher!.idle();

    await writeFile(file(4), lineageFile('limiter', [1, 2, 3, 4]));
    const other = await waitFor('load-refused', (e) => e.file === file(4));
    expect(other.refusal).toMatchObject({ code: 'wrong-component', file: file(4), expected: 'counter', got: 'limiter' });
    await watcher!.idle();

    // named v5, carries v6 over a lineage holding v1…v5: taking the name's word would run v5 of it
    await writeFile(file(5), workerPlugin(6));
    const newer = await waitFor('load-refused', (e) => e.file === file(5));
    expect(newer.refusal).toMatchObject({ code: 'misfit-version', file: file(5), version: 5 });
    expect(newer.refusal.message).toMatch(/newest version is 6/);
    await watcher!.idle();

    expect(swaps()).toEqual(['no 1→3', 'no 1→2', 'no 1→4', 'no 1→5']);
    expect(counter.threadId).toBe(before);
    expect(counter.version).toBe(1);
    counter.send({ type: 'ADD', n: 2 });
    await until(counter, (s) => (s.context as { log: number[] }).log.length === 2);
    expect(contextOf(counter).log).toEqual([1, 2]);
    expect((await counter.journal.entries()).map((e) => e.outcome)).toEqual(['refused', 'refused', 'refused', 'refused']);
  }, 60_000);
});

describe('G1 across a reload loop (worker-hosted)', () => {
  it('processes every accepted event exactly once, in order, while plugin files are written and swapped', async () => {
    await watch();
    let top = 1;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), async (versions, chunks, burst) => {
        const pump = setInterval(() => {
          for (let i = 0; i < burst; i++) counter.send({ type: 'ADD', n: n++ });
        }, 2);
        try {
          for (let k = 0; k < versions; k++) {
            top++;
            await writeInChunks(file(top), workerPlugin(top), chunks, 20);
            await sleep(30);
          }
          const want = top;
          await waitFor('swap-committed', (e) => e.to === want, 30_000);
          await watcher!.idle();
        } finally {
          clearInterval(pump);
        }
        for (let i = 0; i < burst; i++) counter.send({ type: 'ADD', n: n++ });
        await until(counter, (s) => (s.context as { log: number[] }).log.length === n);
        expect(contextOf(counter).log).toEqual(Array.from({ length: n }, (_, i) => i));
        expect(counter.version).toBe(top);
        expect(events.filter((e) => e.type === 'load-refused' || e.type === 'swap-refused' || e.type === 'error')).toEqual([]);
      }),
      fcParams(2),
    );
    // swaps went up, one at a time, each from where the last one ended
    const committed = events.filter((e) => e.type === 'swap-committed') as Extract<PluginEvent, { type: 'swap-committed' }>[];
    committed.forEach((e, i) => expect(e.from).toBe(i === 0 ? 1 : committed[i - 1]!.to));
    expect(imported()).toBeUndefined();
  }, 120_000);
});
