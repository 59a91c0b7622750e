/**
 * Crashes of a worker-hosted component are contained: a throw, `process.exit` or running out of its
 * `resourceLimits` is a typed event and a status; the process keeps serving; accepted events the
 * worker did not process are reported; the component restarts from its last checkpoint.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/index.ts';
import { hostInWorker, type WorkerEvent } from '../../src/worker/index.ts';
import type { CounterEvent } from '../fixtures/worker/counter.ts';
import { driver } from '../fixtures/driver.ts';
import { contextOf, fixture, until } from './_support.ts';

function nextEvent(c: { onEvent(l: (e: WorkerEvent) => void): { unsubscribe(): void } }, type: WorkerEvent['type']): Promise<WorkerEvent> {
  return new Promise((resolve) => {
    const sub = c.onEvent((e) => {
      if (e.type !== type) return;
      sub.unsubscribe();
      resolve(e);
    });
  });
}

describe('crash containment', () => {
  it('reports an uncaught throw as `crashed`, refuses sends, and restarts from the last checkpoint', async () => {
    const runtime = createRuntime();
    const local = runtime.start(driver);
    const c = await hostInWorker<CounterEvent>({ module: fixture('counter-v1'), component: 'counter', checkpoint: { everyMs: 10 } });
    c.send({ type: 'ADD', n: 1 });
    await until(c, (s) => (s.context as { log: number[] }).log.length === 1);
    await new Promise((r) => setTimeout(r, 50)); // a checkpoint after it
    const crashed = nextEvent(c, 'crashed');
    c.send({ type: 'THROW' });
    const e = await crashed;
    expect(e).toMatchObject({ type: 'crashed', component: 'counter', version: 1, error: { message: 'thrown in the worker on purpose' } });
    expect(c.status).toBe('crashed');
    expect(c.trySend({ type: 'ADD', n: 2 })).toMatchObject({ ok: false, error: { code: 'COMPONENT_CRASHED' } });
    local.send({ type: 'ENQUEUE', id: 'a' }); // the process keeps serving
    expect(local.getSnapshot().context.queue).toEqual(['a']);
    expect(await c.restart()).toBe(true);
    expect(c.status).toBe('running');
    expect(contextOf(c)).toEqual({ count: 1, log: [1] });
    c.send({ type: 'ADD', n: 3 });
    await until(c, (s) => (s.context as { log: number[] }).log.length === 2);
    await c.stop();
    await runtime.stop();
  });

  it('reports process.exit with its code and the events it left unprocessed, and restarts automatically', async () => {
    const c = await hostInWorker<CounterEvent>({ module: fixture('counter-v1'), component: 'counter', restart: 'auto', checkpoint: { everyMs: 10 } });
    c.send({ type: 'ADD', n: 1 });
    await until(c, (s) => (s.context as { log: number[] }).log.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    const crashed = nextEvent(c, 'crashed');
    const restarted = nextEvent(c, 'restarted');
    c.send({ type: 'EXIT' });
    c.send({ type: 'ADD', n: 2 }); // same batch, after the exit: accepted, never processed
    const e = await crashed;
    // the batch was never acknowledged, so the host cannot know EXIT ran: both are reported
    expect(e).toMatchObject({ exitCode: 7, unprocessed: [{ type: 'EXIT' }, { type: 'ADD', n: 2 }], uncheckpointed: [] });
    expect(await restarted).toMatchObject({ type: 'restarted', from: 'checkpoint', version: 1 });
    c.send({ type: 'ADD', n: 4 }); // delivered to the restarted worker
    await until(c, (s) => (s.context as { log: number[] }).log.includes(4));
    expect(contextOf(c).log).toEqual([1, 4]);
    await c.stop();
  });

  it('reports a restart that cannot start as `restart-failed`, stays crashed, and names the events sent meanwhile', async () => {
    // the hosted module is a file that disappears after the crash: the restarted worker cannot load it
    const dir = await mkdtemp(join(tmpdir(), 'hotswap-restart-'));
    const module = join(dir, 'counter.mjs');
    await writeFile(module, `export { counter1 as lineage } from ${JSON.stringify(new URL('../fixtures/worker/counter.ts', import.meta.url).href)};\n`);
    try {
      const c = await hostInWorker<CounterEvent>({ module, component: 'counter', restart: 'auto', maxRestarts: 1 });
      const failed = nextEvent(c, 'restart-failed');
      await rm(module);
      const crashes: WorkerEvent[] = [];
      c.onEvent((e) => e.type === 'crashed' && crashes.push(e));
      c.send({ type: 'EXIT' });
      await nextEvent(c, 'crashed');
      c.send({ type: 'ADD', n: 5 }); // accepted during the automatic restart
      expect(await failed).toMatchObject({ type: 'restart-failed', component: 'counter' });
      expect(c.status).toBe('crashed');
      // the event sent during the restart was never processed: reported by a second `crashed`
      expect(crashes.at(-1)).toMatchObject({ unprocessed: [{ type: 'ADD', n: 5 }] });
      expect(c.trySend({ type: 'ADD', n: 6 })).toMatchObject({ ok: false, error: { code: 'COMPONENT_CRASHED' } });
      await c.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('contains ERR_WORKER_OUT_OF_MEMORY under resourceLimits', async () => {
    const c = await hostInWorker<CounterEvent>({ module: fixture('counter-v1'), component: 'counter', resourceLimits: { maxOldGenerationSizeMb: 32 } });
    const crashed = nextEvent(c, 'crashed');
    c.send({ type: 'HOG' });
    const e = await crashed;
    expect(e).toMatchObject({ type: 'crashed', error: { code: 'ERR_WORKER_OUT_OF_MEMORY' } });
    expect(c.status).toBe('crashed');
    expect(await c.restart()).toBe(true);
    expect(contextOf(c)).toEqual({ count: 0, log: [] });
    await c.stop();
  });
});
