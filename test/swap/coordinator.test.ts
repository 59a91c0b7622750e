import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileStore, createRuntime, FileJournal, formatReport, isHotswapError, ManualClock, MemoryJournal } from '../../src/index.ts';
import { flush, isSettled } from '../_support/async.ts';
import { driver } from '../fixtures/driver.ts';
import { makeLoader } from '../fixtures/loader.ts';

describe('revert', () => {
  it('goes back through the down migration', async () => {
    const c = createRuntime().start(driver, { version: 1 });
    c.send({ type: 'ENQUEUE', id: 'a' });
    await c.swap(2);
    expect(c.getSnapshot().context).toEqual({ queue: ['a'], completed: 0, retries: 0 });
    const report = await c.revert();
    expect(report).toMatchObject({ outcome: 'committed', from: 2, to: 1, path: [{ from: 2, to: 1 }] });
    expect(c.getSnapshot().context).toEqual({ queue: ['a'], completed: 0 });
  });

  it('undoes the last committed swap, however far it went: v1 → v3, revert → v1 along both down links', async () => {
    const { loader } = makeLoader();
    const c = createRuntime().start(loader, { version: 1 });
    expect((await c.swap(3)).outcome).toBe('committed');
    const report = await c.revert();
    expect(report).toMatchObject({ outcome: 'committed', from: 3, to: 1, path: [{ from: 3, to: 2 }, { from: 2, to: 1 }] });
    expect(c.version).toBe(1);
  });

  it('undoes swaps one after another, most recent first; refused ones and reverts themselves are not undone', async () => {
    const { loader } = makeLoader();
    const c = createRuntime().start(loader, { version: 1 });
    await c.swap(2);
    await c.swap(3);
    expect((await c.swap(9)).outcome).toBe('refused'); // nothing to undo: it never ran
    expect(await c.revert()).toMatchObject({ outcome: 'committed', from: 3, to: 2 });
    expect(await c.revert()).toMatchObject({ outcome: 'committed', from: 2, to: 1 });
    // nothing left to undo: the version below, which does not exist
    const last = await c.revert();
    expect(last).toMatchObject({ outcome: 'refused', to: 0, blockers: [{ kind: 'unknown-version', version: 0 }] });
    expect(c.version).toBe(1);
  });

  it('undoes a downgrade too, through the up link', async () => {
    const { loader } = makeLoader();
    const c = createRuntime().start(loader, { version: 3 });
    await c.swap(1);
    expect(await c.revert()).toMatchObject({ outcome: 'committed', from: 1, to: 3, path: [{ from: 1, to: 2 }, { from: 2, to: 3 }] });
  });

  it('goes to the version below when there is no swap to undo, and a refused revert keeps its entry', async () => {
    const { loader } = makeLoader();
    const c = createRuntime().start(loader, { version: 3 });
    expect(await c.revert()).toMatchObject({ outcome: 'committed', from: 3, to: 2 });
    const d = createRuntime().start(driver, { version: 2 });
    await d.swap(3);
    expect(await d.revert()).toMatchObject({ outcome: 'refused', to: 2, blockers: [{ kind: 'irreversible' }] });
    expect((await d.swap(3)).outcome).toBe('refused'); // same version: nothing changes
    expect(await d.revert()).toMatchObject({ outcome: 'refused', to: 2 }); // still the swap to undo
  });

  it('is refused as irreversible when the link has no down', async () => {
    const c = createRuntime().start(driver, { version: 3 });
    const report = await c.revert();
    expect(report.outcome).toBe('refused');
    expect(formatReport(report)).toMatch(/^swap driver v3 → v2 refused after \d+ ms wall time \(plan\):\n {2}link v2 → v3 has no down migration: v2 cannot be restored from v3$/);
  });

  it('revertOrThrow throws SWAP_REFUSED with the report when refused, and returns the report when committed', async () => {
    const c = createRuntime().start(driver, { version: 3 });
    const refused = await c.revertOrThrow().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isHotswapError(refused) && refused.code).toBe('SWAP_REFUSED');
    expect((refused as { details: { report: { outcome: string; to: number } } }).details.report).toMatchObject({ outcome: 'refused', to: 2 });
    expect(c.version).toBe(3);
    const d = createRuntime().start(driver, { version: 1 });
    await d.swapOrThrow(2);
    expect((await d.revertOrThrow()).outcome).toBe('committed');
    expect(d.version).toBe(1);
  });
});

describe('swapAll', () => {
  it('commits every component in one step', async () => {
    const runtime = createRuntime();
    const a = runtime.start(driver, { version: 1, id: 'a' });
    const b = runtime.start(driver, { version: 2, id: 'b' });
    const all = await runtime.swapAll([
      { component: a, target: 2 },
      { component: b, target: 3 },
    ]);
    expect(all.outcome).toBe('committed');
    expect([a.version, b.version]).toEqual([2, 3]);
    expect(all.reports.map((r) => r.outcome)).toEqual(['committed', 'committed']);
  });

  it('commits none when one is refused, and every old version keeps serving', async () => {
    const runtime = createRuntime();
    const { loader, calls } = makeLoader();
    const a = runtime.start(driver, { version: 1, id: 'a' });
    const b = runtime.start(loader, { version: 1, id: 'b' });
    b.send({ type: 'LOAD', url: 'a' });
    calls[0]!.resolve('A');
    await flush();
    const all = await runtime.swapAll([
      { component: a, target: 2 },
      { component: b, target: 3 }, // v3 has no 'refresh' handler for the pending timer
    ]);
    expect(all.outcome).toBe('refused');
    expect([a.version, b.version]).toEqual([1, 1]);
    expect(all.reports[0]!.blockers.map((x) => x.kind)).toEqual(['aborted']);
    expect(all.reports[0]!.blockers[0]!.message).toBe('aborted: swapAll: b refused, so every component keeps its version');
    expect(all.reports[1]!.blockers.map((x) => x.kind)).toEqual(['pending-timer']);
    a.send({ type: 'ENQUEUE', id: 'x' });
    expect(a.getSnapshot().context.queue).toEqual(['x']);
  });

  it('quiesces in parallel under one deadline, not one deadline per component', async () => {
    const clock = new ManualClock();
    const runtime = createRuntime({ clock });
    const parts = [1, 2, 3].map((i) => {
      const { loader } = makeLoader();
      const c = runtime.start(loader, { version: 1, id: `l${i}` });
      c.send({ type: 'LOAD', url: `u${i}` }); // each waits on a fetch that never settles
      return c;
    });
    const all = runtime.swapAll(parts.map((component) => ({ component, target: 2 })), { deadlineMs: 100 });
    await flush();
    clock.advance(100);
    await flush();
    expect(await isSettled(all)).toBe(true);
    const r = await all;
    expect(r.outcome).toBe('refused');
    expect(r.reports.map((x) => x.blockers[0]!.kind)).toEqual(['quiesce-timeout', 'quiesce-timeout', 'quiesce-timeout']);
  });
});

describe('journal', () => {
  it('records every attempt, committed or refused, with hashes and timings (G8)', async () => {
    const journal = new MemoryJournal();
    const c = createRuntime({ journal }).start(driver, { version: 1, id: 'd1' });
    await c.swap(2);
    await c.swap(9);
    const entries = journal.entries();
    expect(entries.map((e) => [e.instance, e.outcome, e.from, e.to])).toEqual([
      ['d1', 'committed', 1, 2],
      ['d1', 'refused', 2, 9],
    ]);
    expect(entries[0]!.beforeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(entries[0]!.afterHash).not.toBe(entries[0]!.beforeHash);
    expect(entries[1]!.afterHash).toBe(entries[1]!.beforeHash);
    expect(Object.keys(entries[0]!.timings)).toEqual(['plan', 'quiesce', 'drain', 'migrate', 'verify', 'install', 'resume']);
  });

  it('appends one JSON line per attempt to a file journal', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hotswap-')), 'journal.jsonl');
    const journal = new FileJournal(path);
    const c = createRuntime({ journal }).start(driver, { version: 1 });
    await c.swap(2);
    await c.swap(1);
    await c.swap(7);
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).outcome)).toEqual(['committed', 'committed', 'refused']);
    expect((await journal.entries()).length).toBe(3);
  });
});

describe('persist and start', () => {
  it('persists pending delays and timers with remaining time, and a new runtime re-arms them', async () => {
    const clock = new ManualClock();
    const { loader, calls } = makeLoader();
    const c = createRuntime({ clock }).start(loader, { version: 1 });
    c.send({ type: 'LOAD', url: 'a' });
    calls[0]!.resolve('A');
    await flush();
    clock.advance(300);
    const saved = c.persist();
    expect(saved.timers).toEqual([
      { kind: 'delay', id: 'xstate.after.1000.loader.ready', event: { type: 'xstate.after.1000.loader.ready' }, delayMs: 1000, remainingMs: 700 },
      { kind: 'timer', id: 'refresh', handler: 'refresh', payload: 'a', delayMs: 500, remainingMs: 200 },
    ]);
    await c.stop();

    const clock2 = new ManualClock(50_000);
    const restored = createRuntime({ clock: clock2 }).start(loader, { version: 2, from: 1, snapshot: JSON.parse(JSON.stringify(saved.snapshot)), timers: saved.timers });
    expect(restored.ledger().delays[0]?.remainingMs).toBe(700);
    clock2.advance(200);
    expect(calls.at(-1)).toMatchObject({ version: 2, url: 'a#refresh-by-v2' });
  });

  it('refuses to start from a snapshot that does not verify, with START_REFUSED and the blockers', () => {
    const runtime = createRuntime();
    const bad = { status: 'active', value: 'nowhere', context: { queue: [], completed: 0 }, children: {}, historyValue: {} };
    expect(() => runtime.start(driver, { version: 1, snapshot: bad })).toThrowError(
      expect.objectContaining({ code: 'START_REFUSED', message: "start driver v1 → v1 refused:\n  state 'nowhere' does not exist in v1" }),
    );
  });
});

describe('start from an envelope', () => {
  it('round-trips through the file store: v1 envelope, restored into v2 with its delay and timer re-armed', async () => {
    const clock = new ManualClock();
    const { loader, calls } = makeLoader();
    const c = createRuntime({ clock }).start(loader, { version: 1 });
    c.send({ type: 'LOAD', url: 'a' });
    calls[0]!.resolve('A');
    await flush();
    clock.advance(100);
    const store = createFileStore(mkdtempSync(join(tmpdir(), 'hotswap-store-')));
    await store.save('loader-1', c.persist());
    await c.stop();

    const loaded = await store.load('loader-1');
    if (!loaded.ok) throw new Error(loaded.error.message);
    const clock2 = new ManualClock();
    const restored = createRuntime({ clock: clock2 }).start(loader, { version: 2, envelope: loaded.envelope });
    expect(restored.version).toBe(2);
    expect(restored.ledger().delays).toMatchObject([{ id: 'xstate.after.1000.loader.ready', remainingMs: 900 }]);
    expect(restored.ledger().timers).toMatchObject([{ name: 'refresh', remainingMs: 400 }]);
    clock2.advance(400);
    expect(calls.at(-1)).toMatchObject({ version: 2, url: 'a#refresh-by-v2' });
  });

  it('refuses a tampered envelope with its code and starts nothing', () => {
    const c = createRuntime().start(driver, { version: 1 });
    const envelope = JSON.parse(JSON.stringify(c.persist()));
    envelope.snapshot.context.completed = 99;
    expect(() => createRuntime().start(driver, { envelope })).toThrowError(expect.objectContaining({ code: 'ENVELOPE_HASH_MISMATCH' }));
  });
});

describe('observers', () => {
  it('keep observing across a swap and see the new version’s snapshots', async () => {
    const c = createRuntime().start(driver, { version: 1 });
    const seen: unknown[] = [];
    c.subscribe((s) => seen.push(s.context));
    await c.swap(2);
    c.send({ type: 'ENQUEUE', id: 'a' });
    expect(seen).toEqual([
      { queue: [], completed: 0, retries: 0 },
      { queue: ['a'], completed: 0, retries: 0 },
    ]);
  });
});

describe('stop', () => {
  it('aborts a swap in progress (refused before its commit point), delivers held events to the old version, then stops', async () => {
    const { loader, calls } = makeLoader();
    const c = createRuntime().start(loader, { version: 1 });
    c.send({ type: 'LOAD', url: 'a' });
    const swap = c.swap(2);
    await flush();
    c.send({ type: 'PING', seq: 1 });
    await c.stop();
    const report = await swap;
    expect(report.outcome).toBe('refused');
    expect(report.blockers[0]!.message).toBe('aborted: the component is stopping');
    expect(c.status).toBe('stopped');
    expect(c.version).toBe(1);
    expect(c.getSnapshot().context.log).toEqual(['v1:ping:1']);
    expect(calls[0]!.signal.aborted).toBe(true);
  });
});

describe('a machine that finishes', () => {
  it('refuses events after its final state with COMPONENT_STOPPED, instead of XState ignoring them', async () => {
    const { setup: setupMachine } = await import('xstate');
    const { defineVersion, lineage } = await import('../../src/index.ts');
    const oneShot = setupMachine({ types: { events: {} as { type: 'FINISH' } | { type: 'AGAIN' } } }).createMachine({
      id: 'once',
      initial: 'open',
      states: { open: { on: { FINISH: 'closed' } }, closed: { type: 'final' } },
    });
    const c = createRuntime().start(lineage('once', defineVersion({ version: 1, machine: oneShot })));
    c.send({ type: 'FINISH' });
    expect(c.status).toBe('stopped');
    expect(() => c.send({ type: 'AGAIN' })).toThrowError(
      expect.objectContaining({ code: 'COMPONENT_STOPPED', message: "Component 'once#1' has reached a final state; event 'AGAIN' was not accepted" }),
    );
    await c.stop();
  });
});
