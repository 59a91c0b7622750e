/**
 * The `node:diagnostics_channel` channels: what a subscriber sees of a swap (start, each phase, the
 * report), of a `swapAll`, of a refusal and of a plugin load, and that an APM tool's async-context
 * store is active inside the swap (a migration sees it).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, lineage, type SwapAllReport, type SwapPhase, SwapPhases, type SwapReport } from '../../src/index.ts';
import { ChannelNames, phaseFeed, type PluginLoadTrace, type SwapAllTrace, type SwapPhaseMessage, type SwapTrace } from '../../src/diagnostics/channels.ts';
import { loadPlugin } from '../../src/plugin/index.ts';
import { counterLineage, counterV1, counterV2 } from '../fixtures/counter.ts';
import { counterPlugin, tempPlugins } from '../plugin/_files.ts';

const seen = new AsyncLocalStorage<string>();
const twoVersions = () =>
  lineage('counter', counterV1).next(counterV2, {
    up: ({ value, context }) => ({ value, context: { ...context, v: 2 as const } }),
    down: ({ value, context }) => ({ value, context: { ...context, v: 1 as const } }),
  });

/** Records every event of a tracing channel as `[event, context]`, until `stop()`. */
function record<T extends object>(name: string) {
  const events: [string, T][] = [];
  const tc = tracingChannel<unknown, T>(name);
  const handlers = {
    start: (c: T) => void events.push(['start', c]),
    end: (c: T) => void events.push(['end', c]),
    asyncStart: (c: T) => void events.push(['asyncStart', c]),
    asyncEnd: (c: T) => void events.push(['asyncEnd', c]),
    error: (c: T) => void events.push(['error', c]),
  };
  tc.subscribe(handlers);
  return { events, stop: () => tc.unsubscribe(handlers) };
}

function phases() {
  const messages: SwapPhaseMessage<SwapPhase>[] = [];
  const onMessage = (m: unknown) => void messages.push(m as SwapPhaseMessage<SwapPhase>);
  subscribe(ChannelNames.phase, onMessage);
  return { messages, stop: () => unsubscribe(ChannelNames.phase, onMessage) };
}

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

describe('hotswap:swap', () => {
  it('traces a committed swap: start with who and what, then the report at asyncEnd', async () => {
    const trace = record<SwapTrace<SwapReport>>(ChannelNames.swap);
    stops.push(trace.stop);
    const c = createRuntime().start(twoVersions(), { id: 'counter-a', version: 1 });
    const report = await c.swap(2);
    expect(report.outcome).toBe('committed');
    expect(trace.events.map(([e]) => e)).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    const context = trace.events[0]![1];
    expect(context).toMatchObject({ swapId: report.id, component: 'counter', instance: 'counter-a', from: 1, to: 2, kind: 'swap' });
    expect(trace.events[3]![1]).toBe(context); // one context object for the whole swap
    expect(context.result).toBe(report);
  });

  it('traces a refusal as data: the refused report at asyncEnd, no error event', async () => {
    const trace = record<SwapTrace<SwapReport>>(ChannelNames.swap);
    stops.push(trace.stop);
    const c = createRuntime().start(twoVersions(), { version: 1 });
    const report = await c.swap(7);
    expect(report.outcome).toBe('refused');
    expect(trace.events.map(([e]) => e)).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    expect(trace.events[3]![1].result?.blockers.map((b) => b.kind)).toEqual(['unknown-version']);
  });

  it('marks a revert as kind revert', async () => {
    const trace = record<SwapTrace<SwapReport>>(ChannelNames.swap);
    stops.push(trace.stop);
    const c = createRuntime().start(twoVersions(), { version: 1 });
    await c.swap(2);
    const back = await c.revert();
    expect(back.outcome).toBe('committed');
    expect(trace.events.filter(([e]) => e === 'start').map(([, ctx]) => [ctx.kind, ctx.from, ctx.to])).toEqual([
      ['swap', 1, 2],
      ['revert', 2, 1],
    ]);
  });

  it("runs the swap inside a subscriber's async-context store: a migration sees the APM span", async () => {
    const tc = tracingChannel<unknown, SwapTrace<SwapReport>>(ChannelNames.swap);
    tc.start.bindStore(seen, (ctx) => `span:${ctx.swapId}`);
    stops.push(() => tc.start.unbindStore(seen));
    let inMigration: string | undefined;
    const l = lineage('counter', counterV1).next(counterV2, {
      up: ({ value, context }) => {
        inMigration = seen.getStore();
        return { value, context: { ...context, v: 2 as const } };
      },
    });
    const report = await createRuntime().start(l, { version: 1 }).swap(2);
    expect(inMigration).toBe(`span:${report.id}`);
    expect(seen.getStore()).toBeUndefined();
  });
});

describe('hotswap:swap:phase', () => {
  it('publishes every phase of a committed swap in order, with the durations of its report', async () => {
    const p = phases();
    stops.push(p.stop);
    const c = createRuntime().start(twoVersions(), { id: 'counter-p', version: 1 });
    c.send({ type: 'INC', seq: 1 });
    const report = await c.swap(2);
    expect(p.messages.map((m) => m.phase)).toEqual([...SwapPhases]);
    for (const m of p.messages) {
      expect(m).toMatchObject({ swapId: report.id, component: 'counter', instance: 'counter-p', outcome: 'passed', blockers: [] });
      expect(m.durationUs).toBe(report.timings[m.phase]);
    }
  });

  it('names the phase that refused, with its blockers, and publishes nothing after it', async () => {
    const p = phases();
    stops.push(p.stop);
    const forgetful = lineage('counter', counterV1).next(counterV2, {
      up: ({ value, context }) => ({ value, context: { ...context, v: 1 as unknown as 2 } }), // breaks v2's invariant
    });
    const report: SwapReport = await createRuntime().start(forgetful, { version: 1 }).swap(2);
    expect(report.outcome).toBe('refused');
    expect(report.phase).toBe('verify');
    const last = p.messages.at(-1)!;
    expect(last).toMatchObject({ phase: 'verify', outcome: 'refused' });
    expect(last.blockers).toEqual(report.blockers);
    expect(p.messages.map((m) => m.phase)).toEqual(['plan', 'quiesce', 'drain', 'migrate', 'verify']);
  });

  it('costs a shared no-op feed when nobody listens', async () => {
    const c = createRuntime().start(twoVersions(), { version: 1 });
    const fake = { id: 'x', core: { name: 'counter', id: c.id }, from: 1, targetNumber: 2, timings: {}, phase: undefined, blockers: [] };
    expect(phaseFeed(fake)).toBe(phaseFeed({ ...fake, id: 'y' }));
    const p = phases();
    stops.push(p.stop);
    expect(phaseFeed(fake)).not.toBe(phaseFeed({ ...fake, id: 'y' }));
  });
});

describe('hotswap:swap-all', () => {
  it('traces a swapAll with its parts, and every part publishes its phases', async () => {
    const trace = record<SwapAllTrace<SwapAllReport>>(ChannelNames.swapAll);
    const p = phases();
    stops.push(trace.stop, p.stop);
    const runtime = createRuntime();
    const a = runtime.start(twoVersions(), { id: 'a', version: 1 });
    const b = runtime.start(twoVersions(), { id: 'b', version: 1 });
    const all = await runtime.swapAll([
      { component: a, target: 2 },
      { component: b, target: 2 },
    ]);
    expect(all.outcome).toBe('committed');
    const context = trace.events[0]![1];
    expect(context.parts.map((x) => [x.instance, x.from, x.to])).toEqual([
      ['a', 1, 2],
      ['b', 1, 2],
    ]);
    expect(context.result).toBe(all);
    expect(p.messages.filter((m) => m.phase === 'resume').map((m) => m.instance)).toEqual(['a', 'b']);
  });
});

describe('hotswap:plugin:load', () => {
  let tmp: Awaited<ReturnType<typeof tempPlugins>>;
  beforeAll(async () => {
    tmp = await tempPlugins();
  });
  afterAll(() => tmp.cleanup());

  it('traces a load that succeeds and one that is refused, with the typed result', async () => {
    const trace = record<PluginLoadTrace>(ChannelNames.pluginLoad);
    stops.push(trace.stop);
    const good = join(tmp.dir, 'good.js');
    await writeFile(good, counterPlugin(2));
    const ok = await loadPlugin(good, { roots: [tmp.dir], lineage: counterLineage });
    const missing = join(tmp.dir, 'missing.js');
    const refused = await loadPlugin(missing, { roots: [tmp.dir], lineage: counterLineage });
    expect(ok.ok).toBe(true);
    expect(refused.ok).toBe(false);
    const ends = trace.events.filter(([e]) => e === 'asyncEnd').map(([, ctx]) => ctx);
    expect(ends.map((ctx) => ctx.file)).toEqual([good, missing]);
    expect(ends[0]!.result).toBe(ok);
    expect(ends[1]!.result).toMatchObject({ ok: false, refusal: { code: 'not-found' } });
  });
});
