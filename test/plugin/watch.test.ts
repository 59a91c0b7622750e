/**
 * The watched plugin directory: real files written into a temporary directory (in chunks, as `cp` and
 * editors write), swaps in version order through the coordinator, refusals that leave the old version
 * serving, supersession, removal, and G1 across a reload loop.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime, type LiveComponent, type Runtime } from '../../src/index.ts';
import { loadPlugin, type PluginEvent, type PluginWatcher, watchPlugins, type WatchPluginsOptions } from '../../src/plugin/index.ts';
import { fcParams } from '../_support/fc.ts';
import { counterLineage, type CounterContext, type CounterEvent } from '../fixtures/counter.ts';
import { counterPlugin, tempPlugins, writeInChunks } from './_files.ts';

let tmp: Awaited<ReturnType<typeof tempPlugins>>;
let runtime: Runtime;
let counter: LiveComponent<CounterEvent>;
let watcher: PluginWatcher | undefined;
let events: PluginEvent[];

beforeEach(async () => {
  tmp = await tempPlugins();
  runtime = createRuntime();
  counter = runtime.start(counterLineage);
  events = [];
  watcher = undefined;
});
afterEach(async () => {
  await watcher?.close();
  await runtime.stop();
  await tmp.cleanup();
});

const FAST = { stableMs: 80, pollMs: 15 } as const;
const watch = async (o: Partial<WatchPluginsOptions> = {}): Promise<PluginWatcher> => {
  watcher = watchPlugins(tmp.dir, { component: counter, onEvent: (e) => events.push(e), ...FAST, ...o });
  await watcher.ready;
  return watcher;
};
const file = (n: number | string): string => join(tmp.dir, typeof n === 'number' ? `counter-v${n}.js` : n);

/** Waits until an event matches (or fails after `ms`). */
async function waitFor<T extends PluginEvent['type']>(type: T, match: (e: Extract<PluginEvent, { type: T }>) => boolean = () => true, ms = 5000): Promise<Extract<PluginEvent, { type: T }>> {
  const until = Date.now() + ms;
  for (;;) {
    const e = events.find((x): x is Extract<PluginEvent, { type: T }> => x.type === type && match(x as Extract<PluginEvent, { type: T }>));
    if (e !== undefined) return e;
    if (Date.now() > until) throw new Error(`no '${type}' event; got ${JSON.stringify(events.map((x) => x.type))}`);
    await sleep(10);
  }
}
const committed = (to: number) => waitFor('swap-committed', (e) => e.to === to);
const swaps = () => events.filter((e) => e.type === 'swap-committed' || e.type === 'swap-refused').map((e) => `${e.type === 'swap-committed' ? 'ok' : 'no'} ${(e as { from: number }).from}→${(e as { to: number }).to}`);
const context = (): CounterContext => counter.getSnapshot().context as CounterContext;

describe('loading and swapping', () => {
  it('loads v2 then v3, each copied in several chunks, once each when complete, and swaps to each in order', async () => {
    await watch();
    await writeInChunks(file(2), counterPlugin(2), 4, 30);
    await committed(2);
    counter.send({ type: 'INC', seq: 1 });
    await writeInChunks(file(3), counterPlugin(3), 5, 30);
    await committed(3);
    counter.send({ type: 'INC', seq: 2 });
    expect(events.filter((e) => e.type === 'load-refused')).toEqual([]); // no half-written file was loaded
    expect(events.filter((e) => e.type === 'loaded').map((e) => (e as { version: number }).version)).toEqual([2, 3]);
    expect(swaps()).toEqual(['ok 1→2', 'ok 2→3']);
    expect(counter.version).toBe(3);
    expect(context()).toMatchObject({ v: 3, seen: [1, 2], by: [2, 3] });
    expect((await runtime.journal.entries()).map((e) => `${e.from}→${e.to} ${e.outcome}`)).toEqual(['1→2 committed', '2→3 committed']);
  });

  it('loads the files already there at start and makes one swap to the newest', async () => {
    await writeFile(file(3), counterPlugin(3));
    await writeFile(file(2), counterPlugin(2));
    const w = await watch();
    await w.idle();
    expect(swaps()).toEqual(['ok 1→3']);
    expect(w.lineage!.versions.map((v) => v.version)).toEqual([1, 2, 3]);
  });

  it('takes files the host loaded before watching (to restore the component) as the versions they are, without a refusal', async () => {
    await writeFile(file(2), counterPlugin(2));
    const r = await loadPlugin(file(2), { roots: [tmp.dir], lineage: counterLineage });
    if (!r.ok) throw new Error(r.refusal.message);
    // the server before its restart, at v2, persisted
    const before = runtime.start(r.lineage!, { version: 2, id: 'before-restart' }) as LiveComponent<CounterEvent>;
    before.send({ type: 'INC', seq: 1 });
    const envelope = before.persist();
    await before.stop();
    // after it: the plugin loaded again, the component restored from the envelope, then the directory watched
    await counter.stop();
    counter = runtime.start(r.lineage!, { envelope }) as LiveComponent<CounterEvent>;
    const w = await watch();
    await w.idle();
    expect(events.map((e) => e.type)).toEqual(['loaded']);
    expect(counter.version).toBe(2);
    await writeFile(file(3), counterPlugin(3));
    await committed(3);
    expect(context()).toMatchObject({ v: 3, seen: [1] });
  });

  it('holds a file that leaves a gap until the missing version arrives', async () => {
    await watch();
    await writeFile(file(3), counterPlugin(3));
    expect(await waitFor('loaded', (e) => e.version === 3)).toMatchObject({ waitingFor: 2 });
    await sleep(150);
    expect(counter.version).toBe(1);
    await writeFile(file(2), counterPlugin(2));
    await committed(3);
    expect(swaps()).toEqual(['ok 1→3']);
  });
});

describe('how files arrive', () => {
  it("takes an editor's atomic save (a temporary file renamed over the plugin) once, and ignores the temporary", async () => {
    await watch();
    const tmpName = join(tmp.dir, '.counter-v2.js.swp');
    await writeFile(tmpName, counterPlugin(2));
    await rename(tmpName, file(2));
    await committed(2);
    await watcher!.idle();
    expect(events.filter((e) => e.type === 'loaded').map((e) => (e as { file: string }).file)).toEqual([file(2)]);
  });

  it('takes a save renamed over a file it already loaded as one change of that file, not a removal', async () => {
    await watch();
    await writeFile(file(3), counterPlugin(3));
    const first = await waitFor('loaded', (e) => e.version === 3);
    const tmpName = join(tmp.dir, '.counter-v3.js.swp');
    await writeFile(tmpName, counterPlugin(3, { extra: '// edited' }));
    await rename(tmpName, file(3));
    await waitFor('loaded', (e) => e.version === 3 && e.hash !== first.hash);
    await watcher!.idle();
    expect(events.map((e) => e.type)).toEqual(['loaded', 'loaded']);
    expect(events.every((e) => e.type === 'loaded' && e.file === file(3))).toBe(true);
  });

  it('loads a file still being written when watching starts once, complete, before it is ready', async () => {
    const writing = writeInChunks(file(2), counterPlugin(2), 6, 40);
    await sleep(15); // the first chunk is there: the initial scan finds a half-written file
    await watch({ stableMs: 400 }); // a margin over the 40 ms gaps for a loaded machine, which stalls the writer
    expect(events.map((e) => e.type)).toEqual(['loaded']);
    await writing;
    await watcher!.idle();
    expect(events.map((e) => e.type)).toEqual(['loaded', 'swap-committed']);
    expect(counter.version).toBe(2);
  });

  it('takes no file event once closed, and closes before it was ready', async () => {
    const w = watchPlugins(tmp.dir, { component: counter, onEvent: (e) => events.push(e), ...FAST });
    await w.close();
    await w.ready;
    await writeFile(file(2), counterPlugin(2));
    await sleep(FAST.stableMs * 3);
    expect(events).toEqual([]);
    expect(counter.version).toBe(1);
  });

  it('reports a directory it cannot watch as an error event, and is still ready', async () => {
    watcher = watchPlugins(join(tmp.dir, 'missing'), { component: counter, onEvent: (e) => events.push(e), ...FAST });
    await watcher.ready;
    expect(events[0]).toMatchObject({ type: 'error', error: { code: 'ENOENT' } });
  });

  it('reports a throwing onEvent through onError and keeps going', async () => {
    const errors: unknown[] = [];
    await watch({
      onEvent: (e) => {
        events.push(e);
        throw new Error(`listener broke on ${e.type}`);
      },
      onError: (e) => errors.push(e),
    });
    await writeFile(file(2), counterPlugin(2));
    await committed(2);
    expect(counter.version).toBe(2);
    expect(errors.map((e) => (e as Error).message)).toEqual(['listener broke on loaded', 'listener broke on swap-committed']);
  });
});

describe('broken files', () => {
  it('refuses a file that does not parse, keeps the old version serving, and takes the fixed file', async () => {
    await watch();
    await writeFile(file(2), counterPlugin(2));
    await committed(2);
    await writeFile(file(3), 'export default definePlugin({;\n');
    const refused = await waitFor('load-refused');
    expect(refused.refusal.code).toBe('syntax-error');
    expect(refused.file).toBe(file(3));
    counter.send({ type: 'INC', seq: 1 });
    expect(counter.version).toBe(2);
    expect(context()).toMatchObject({ v: 2, seen: [1], by: [2] });
    await writeFile(file(3), counterPlugin(3));
    await committed(3);
    expect(counter.version).toBe(3);
  });

  it('reports a swap refused at verify with its blockers, in the journal, and the old version keeps serving', async () => {
    await watch();
    await writeFile(file(2), counterPlugin(2, { forgetV: true }));
    const refused = await waitFor('swap-refused');
    expect(refused.blockers.map((b) => b.kind)).toEqual(['invariant-violation']);
    expect(refused.file).toBe(file(2));
    expect(counter.version).toBe(1);
    counter.send({ type: 'INC', seq: 1 });
    expect(context()).toMatchObject({ v: 1, seen: [1] });
    await watcher!.idle();
    expect(swaps()).toEqual(['no 1→2']); // not retried in a loop
    await writeFile(file(2), counterPlugin(2));
    await committed(2);
    expect((await runtime.journal.entries()).map((e) => `${e.from}→${e.to} ${e.outcome}`)).toEqual(['1→2 refused', '1→2 committed']);
  });

  it('refuses a rewrite of the version already running: a change needs a new version number', async () => {
    await watch();
    await writeFile(file(2), counterPlugin(2));
    await committed(2);
    await writeFile(file(2), counterPlugin(2, { extra: '// changed' }));
    const r = await waitFor('load-refused');
    expect(r.refusal).toMatchObject({ code: 'misfit-version', version: 2, current: 2 });
    expect(r.refusal.message).toContain('publish a change as v3');
  });
});

describe('probation', () => {
  /** A journal entry as `from→to outcome`; a rollback (an entry with `rolledBack`, or outcome `rolled-back`) as `rolled-back`. */
  const entry = (e: { readonly from: number; readonly to: number; readonly outcome: string; readonly rolledBack?: unknown }): string =>
    `${e.from}→${e.to} ${e.outcome === 'rolled-back' || e.rolledBack !== undefined ? 'rolled-back' : e.outcome}`;

  it('does not swap again to a version whose probation rolled it back, until the directory changes', async () => {
    // the health check fails at the commit itself: the rollback runs before the watcher hears of the commit
    await watch({ swap: { probation: { ms: 10_000, health: ({ context }) => ((context as CounterContext).v === 2 ? 'v2 is unhealthy' : undefined) } } });
    await writeFile(file(2), counterPlugin(2));
    await committed(2);
    // told after its swap-committed, though it ended before swap() resolved
    expect(await waitFor('probation-ended')).toMatchObject({ file: file(2), from: 1, to: 2, outcome: { outcome: 'rolled-back', cause: { kind: 'health', reason: 'v2 is unhealthy' } } });
    expect(events.findIndex((e) => e.type === 'swap-committed')).toBeLessThan(events.findIndex((e) => e.type === 'probation-ended'));
    await watcher!.idle();
    await sleep(300);
    expect(counter.version).toBe(1);
    expect(swaps()).toEqual(['ok 1→2']); // not committed and rolled back in a loop
    const journal = await runtime.journal.entries();
    expect(journal.map(entry)).toEqual(['1→2 committed', '2→1 rolled-back']);
    // a new file is a change: it is swapped to (and this one stays)
    await writeFile(file(3), counterPlugin(3));
    await waitFor('swap-committed', (e) => e.to === 3);
    await watcher!.idle();
    expect(counter.version).toBe(3);
  });

  it('does not swap again to a version rolled back later in its window when the directory changes around it', async () => {
    await watch({ swap: { probation: { ms: 10_000, health: ({ context }) => ((context as CounterContext).seen.length > 0 ? 'v2 failed on its first event' : undefined) } } });
    await writeFile(file(2), counterPlugin(2));
    const swapped = await committed(2);
    await watcher!.idle();
    counter.send({ type: 'INC', seq: 1 });
    const ended = await waitFor('probation-ended');
    expect(ended).toMatchObject({ file: file(2), from: 1, to: 2, outcome: { outcome: 'rolled-back', swapId: swapped.report.id, cause: { kind: 'health', reason: 'v2 failed on its first event' } } });
    expect(counter.version).toBe(1);
    // v4 leaves a gap (no v3): the newest reachable is still the rolled-back v2, which is not retried
    await writeFile(file(4), counterPlugin(4));
    await waitFor('loaded', (e) => e.version === 4);
    await watcher!.idle();
    await sleep(200);
    expect(swaps()).toEqual(['ok 1→2']);
    expect(counter.version).toBe(1);
    expect(context()).toMatchObject({ v: 1, seen: [1] });
    expect((await runtime.journal.entries()).map(entry)).toEqual(['1→2 committed', '2→1 rolled-back']);
  });
});

describe('probation-ended', () => {
  it('says permanent when the window passes, once per swap, and the caller’s own onSettled hears it too', async () => {
    const told: string[] = [];
    await watch({ swap: { probation: { ms: 50, onSettled: (o) => void told.push(o.outcome) } } });
    await writeFile(file(2), counterPlugin(2));
    const c2 = await committed(2);
    expect(await waitFor('probation-ended', (e) => e.to === 2)).toEqual({ type: 'probation-ended', file: file(2), from: 1, to: 2, outcome: { outcome: 'permanent', swapId: c2.report.id, events: 0 } });
    await writeFile(file(3), counterPlugin(3));
    await waitFor('probation-ended', (e) => e.to === 3);
    await watcher!.idle();
    await sleep(100);
    expect(events.filter((e) => e.type === 'probation-ended').map((e) => `${e.from}→${e.to} ${e.outcome.outcome}`)).toEqual(['1→2 permanent', '2→3 permanent']);
    expect(told).toEqual(['permanent', 'permanent']);
    expect(counter.version).toBe(3);
  });

  it('is not emitted without probation', async () => {
    await watch();
    await writeFile(file(2), counterPlugin(2));
    await committed(2);
    await watcher!.idle();
    await sleep(100);
    expect(events.map((e) => e.type)).toEqual(['loaded', 'swap-committed']);
  });

  it('refuses bad `swap.probation` options at once, as INVALID_ARGUMENT', () => {
    expect(() => watchPlugins(tmp.dir, { component: counter, swap: { probation: { onSettled: true as never } } })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', details: { argument: 'swap.probation.onSettled' }, message: 'Expected `swap.probation.onSettled` to be a function, got `true` (boolean)' }),
    );
  });
});

describe('one swap at a time', () => {
  it('supersedes a queued swap with a newer file, and swaps to the newest once the running swap ends', async () => {
    let open!: () => void;
    const gate = new Promise<boolean>((resolve) => {
      open = () => resolve(true);
    });
    let gated = 0;
    await watch({ swap: { deadlineMs: 10_000, preconditions: { gate: () => (++gated === 1 ? gate : true) } } });
    await writeFile(file(2), counterPlugin(2));
    await waitFor('loaded', (e) => e.version === 2);
    await sleep(30); // the swap to v2 waits at its precondition
    await writeFile(file(3), counterPlugin(3));
    await waitFor('loaded', (e) => e.version === 3);
    await writeFile(file(4), counterPlugin(4));
    await waitFor('loaded', (e) => e.version === 4);
    expect(await waitFor('superseded')).toMatchObject({ file: file(3), version: 3, by: { file: file(4), version: 4 } });
    expect(swaps()).toEqual([]);
    open();
    await committed(4);
    expect(swaps()).toEqual(['ok 1→2', 'ok 2→4']);
    expect((await runtime.journal.entries()).map((e) => `${e.from}→${e.to}`)).toEqual(['1→2', '2→4']);
  });
});

describe('a file rewritten during its own swap', () => {
  it('keeps the version that committed and refuses the rewrite that lost the race', async () => {
    let open!: () => void;
    const gate = new Promise<boolean>((resolve) => {
      open = () => resolve(true);
    });
    await watch({ swap: { deadlineMs: 10_000, preconditions: { gate: () => gate } } });
    await writeFile(file(2), counterPlugin(2, { extra: 'export const draft = 1;' }));
    await waitFor('loaded', (e) => e.version === 2);
    const first = events.find((e) => e.type === 'loaded') as Extract<PluginEvent, { type: 'loaded' }>;
    await writeFile(file(2), counterPlugin(2, { extra: 'export const draft = 2;' }));
    await waitFor('loaded', (e) => e.version === 2 && e.hash !== first.hash);
    open();
    await committed(2);
    const lost = await waitFor('load-refused');
    expect(lost.refusal).toMatchObject({ code: 'misfit-version', version: 2, current: 2 });
    await watcher!.idle();
    expect(swaps()).toEqual(['ok 1→2']);
    expect(watcher!.lineage!.get(2)).toBe(counter.definition); // the lineage follows the code that runs
  });
});

describe('removal', () => {
  it("reverts through `down` when the running version's file is removed, with onRemove: 'revert'", async () => {
    await watch({ onRemove: 'revert' });
    await writeFile(file(2), counterPlugin(2));
    await committed(2);
    await writeFile(file(3), counterPlugin(3));
    await committed(3);
    await rm(file(3));
    expect(await waitFor('removed')).toMatchObject({ version: 3, action: 'reverting' });
    await committed(2);
    expect(counter.version).toBe(2);
    expect(context().v).toBe(2);
    expect(swaps()).toEqual(['ok 1→2', 'ok 2→3', 'ok 3→2']);
  });

  it("keeps the running version when its file is removed, by default (onRemove: 'ignore')", async () => {
    const w = await watch();
    await writeFile(file(2), counterPlugin(2));
    await committed(2);
    await rm(file(2));
    expect(await waitFor('removed')).toMatchObject({ version: 2, action: 'ignored' });
    await w.idle();
    expect(counter.version).toBe(2);
    // its version stays in the lineage, so the next file still chains onto it
    await writeFile(file(3), counterPlugin(3));
    await committed(3);
  });

  it('forgets a file removed before it was swapped to', async () => {
    await watch({ swap: { preconditions: { never: () => 'held back' } } });
    await writeFile(file(2), counterPlugin(2));
    await waitFor('swap-refused');
    await rm(file(2));
    expect(await waitFor('removed')).toMatchObject({ version: 2, action: 'forgotten' });
    expect(watcher!.lineage!.versions.map((v) => v.version)).toEqual([1]);
  });
});

describe('G1 across a reload loop (in-process)', () => {
  it('processes every accepted event exactly once, in order, while plugin files are rewritten and swapped', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 4 }), fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 4, maxLength: 4 }), fc.integer({ min: 1, max: 3 }), async (versions, chunks, burst) => {
        const rt = createRuntime();
        const c = rt.start(counterLineage);
        const t = await tempPlugins();
        const seen: PluginEvent[] = [];
        // a wide stability margin: a loaded machine can stall the writer between its 10 ms chunks, and a
        // draft taken as complete would be swapped in, making the final rewrite a refused misfit
        const w = watchPlugins(t.dir, { component: c, onEvent: (e) => seen.push(e), stableMs: 400, pollMs: 25 });
        let seq = 0;
        let sending = true;
        const sender = (async () => {
          while (sending) {
            for (let i = 0; i < burst; i++) c.send({ type: 'INC', seq: ++seq });
            await sleep(1);
          }
        })();
        try {
          await w.ready;
          for (let n = 2; n <= versions + 1; n++) {
            // the file is rewritten (a first draft, then the final one) while events flow
            await writeInChunks(join(t.dir, `v${n}.js`), counterPlugin(n, { extra: '// draft' }), chunks[n - 2] ?? 1, 10);
            await writeInChunks(join(t.dir, `v${n}.js`), counterPlugin(n), chunks[n - 2] ?? 1, 10);
            const until = Date.now() + 5000;
            while (c.version !== n && Date.now() < until) await sleep(5);
          }
        } finally {
          sending = false;
          await sender;
          await w.idle();
          await w.close();
        }
        const ctx = c.getSnapshot().context as CounterContext;
        await rt.stop();
        await t.cleanup();
        expect(c.version).toBe(versions + 1);
        expect(ctx.seen).toEqual(Array.from({ length: seq }, (_, i) => i + 1)); // exactly once, in order
        const by = [...ctx.by];
        expect(by).toEqual([...by].sort((a, b) => a - b)); // each event by exactly one version, versions only go up
        expect(seen.filter((e) => e.type === 'load-refused' || e.type === 'swap-refused')).toEqual([]);
      }),
      fcParams(3),
    );
  });
});
