/**
 * What the main thread holds of a worker-hosted component's state, now that snapshots and checkpoints
 * cross as changes (src/worker/_internal/delta.ts): the mirrored snapshot is exact even when the
 * machine changes its context in place, it is frozen, and the last checkpoint — made into an
 * envelope only when read — verifies; a state `createEnvelope` refuses is reported and not
 * checkpointed, as before.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseEnvelope } from '../../src/index.ts';
import { hostInWorker, type WorkerComponent, type WorkerEvent } from '../../src/worker/index.ts';
import type { TableContext, TableEvent } from '../fixtures/worker/table.ts';
import { fixture, until } from './_support.ts';

let c: WorkerComponent<TableEvent> | undefined;
afterEach(async () => {
  await c?.stop();
  c = undefined;
});

const start = async (): Promise<WorkerComponent<TableEvent>> => (c = await hostInWorker<TableEvent>({ module: fixture('table'), component: 'table', checkpoint: { everyMs: 10 } }));
const ctx = (w: WorkerComponent<TableEvent>): TableContext => w.getSnapshot().context as TableContext;

describe('mirrored snapshots', () => {
  it('mirror a context the machine changes in place, exactly, batch after batch, and rebuilt frozen along each change', async () => {
    const w = await start();
    for (let n = 1; n <= 50; n++) {
      w.send({ type: 'PUT', key: `k${n % 7}`, n });
      if (n % 10 === 0) await until(w, (s) => (s.context as TableContext).log.length === n);
    }
    const expected: Record<string, number> = {};
    for (let n = 1; n <= 50; n++) expected[`k${n % 7}`] = n;
    expect(ctx(w)).toEqual({ table: expected, log: Array.from({ length: 50 }, (_, i) => i + 1), big: {} });
    expect(Object.isFrozen(ctx(w))).toBe(true);
  });

  it('keep a frozen block the worker posted once, and an older snapshot unchanged by later ones', async () => {
    const w = await start();
    w.send({ type: 'BIG', n: 2_000 });
    const before = await until(w, (s) => Object.keys((s.context as TableContext).big).length === 2_000);
    w.send({ type: 'PUT', key: 'a', n: 1 });
    const after = await until(w, (s) => (s.context as TableContext).log.length === 1);
    expect((after.context as TableContext).big).toBe((before.context as TableContext).big); // not posted again
    expect((before.context as TableContext).log).toEqual([]);
    expect((after.context as TableContext).big['k1999']).toEqual({ n: 1999 });
  });
});

describe('checkpoints', () => {
  it('are made into an envelope when read, whose hash verifies and whose context is the state', async () => {
    const w = await start();
    w.send({ type: 'BIG', n: 100 });
    for (let n = 1; n <= 5; n++) w.send({ type: 'PUT', key: `k${n}`, n });
    await until(w, (s) => (s.context as TableContext).log.length === 5);
    await new Promise((r) => setTimeout(r, 100)); // a checkpoint after them (every 10 ms)
    const envelope = w.lastCheckpoint!;
    const parsed = parseEnvelope(JSON.stringify(envelope));
    expect(parsed.ok).toBe(true);
    expect(envelope.snapshot.context).toEqual(ctx(w));
  });

  it('report a state createEnvelope refuses (ENVELOPE_UNSAFE_KEY) and keep the last good checkpoint', async () => {
    const w = await start();
    const errors: WorkerEvent[] = [];
    w.onEvent((e) => e.type === 'error' && errors.push(e));
    w.send({ type: 'PUT', key: 'safe', n: 1 });
    await until(w, (s) => (s.context as TableContext).log.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(w.lastCheckpoint?.snapshot.context).toMatchObject({ table: { safe: 1 } });
    w.send({ type: 'PUT', key: 'constructor', n: 2 });
    await until(w, (s) => (s.context as TableContext).log.length === 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(errors.map((e) => (e.type === 'error' ? e.error.code : undefined))).toContain('ENVELOPE_UNSAFE_KEY');
    expect(w.lastCheckpoint?.snapshot.context).toEqual({ table: { safe: 1 }, log: [1], big: {} });
  });
});
