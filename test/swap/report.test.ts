/** What a swap report says: which effect went where, and which durations are on which time line. */
import { describe, expect, it } from 'vitest';
import { createRuntime, formatReport, ManualClock, MemoryJournal } from '../../src/index.ts';
import { flush } from '../_support/async.ts';
import { driver } from '../fixtures/driver.ts';
import { makeLoader } from '../fixtures/loader.ts';

describe('report effects', () => {
  it("lists a delay re-armed under policy 'restart' as restarted, not carried", async () => {
    const clock = new ManualClock();
    const c = createRuntime({ clock }).start(driver, { version: 1 });
    c.send({ type: 'ENQUEUE', id: 'a' });
    c.send({ type: 'START' });
    clock.advance(40);
    const report = await c.swap(2, { policies: { delays: 'restart' } });
    expect(report.outcome).toBe('committed');
    expect(report.effects.restarted).toEqual(['xstate.after.100.driver.busy']);
    expect(report.effects.carried).toEqual([]);
    expect(c.ledger().delays.map((d) => d.remainingMs)).toEqual([100]);
    expect(formatReport(report)).toMatch(/^swap driver v1 → v2 committed: paused [\d.]+ ms wall time, 0 events held; restarted 1$/);

    const carried = await c.swap(1);
    expect([carried.effects.carried, carried.effects.restarted]).toEqual([['xstate.after.100.driver.working'], []]);
  });
});

describe('formatReport', () => {
  it('says the header is wall time and the blockers are on the runtime clock', async () => {
    const clock = new ManualClock();
    const { loader, calls } = makeLoader();
    const c = createRuntime({ clock }).start(loader, { version: 1 });
    c.send({ type: 'LOAD', url: 'u' });
    const swap = c.swap(2, { deadlineMs: 20 });
    await flush();
    clock.advance(20);
    const text = formatReport(await swap);
    expect(text).toMatch(/^swap loader v1 → v2 refused after \d+ ms wall time \(quiesce\):\n {2}not quiescent after 20 ms of runtime-clock time\n/);
    calls[0]!.resolve('x');
  });
});

describe('report durations', () => {
  it('gives the longest synchronous stretch and the hashing time, in the journal entry too', async () => {
    const journal = new MemoryJournal();
    const c = createRuntime({ journal }).start(driver, { version: 1 });
    const report = await c.swap(2);
    expect(report.outcome).toBe('committed');
    expect(Number.isInteger(report.blockUs) && report.blockUs! >= 0).toBe(true);
    expect(Number.isInteger(report.hashUs) && report.hashUs! >= 0).toBe(true);
    // the stretch that held the events is at most the whole call
    expect(report.blockUs!).toBeLessThanOrEqual(report.totalUs);
    expect(journal.entries().map((e) => [e.blockUs, e.hashUs])).toEqual([[report.blockUs, report.hashUs]]);
  });
});

describe('report.ok, the discriminant', () => {
  it('is true iff the swap committed, for swap, revert and swapAll, and on the journal entry', async () => {
    const journal = new MemoryJournal();
    const runtime = createRuntime({ journal });
    const c = runtime.start(driver, { version: 1 });
    const committed = await c.swap(2);
    expect([committed.ok, committed.outcome]).toEqual([true, 'committed']);
    const refused = await c.swap(9);
    expect([refused.ok, refused.outcome, refused.phase]).toEqual([false, 'refused', 'plan']);
    const reverted = await c.revert();
    expect([reverted.ok, c.version]).toEqual([true, 1]);
    expect((await journal.entries()).map((e) => [e.ok, e.outcome])).toEqual([[true, 'committed'], [false, 'refused'], [true, 'committed']]);

    const { loader, calls } = makeLoader();
    const l = runtime.start(loader, { version: 1 });
    l.send({ type: 'LOAD', url: 'a' });
    calls[0]!.resolve('A');
    await flush();
    const all = await runtime.swapAll([{ component: c, target: 2 }, { component: l, target: 3 }]); // v3: no 'refresh' handler
    expect([all.ok, all.outcome, all.reports.map((r) => r.ok)]).toEqual([false, 'refused', [false, false]]);
    const fine = await runtime.swapAll([{ component: c, target: 2 }]);
    expect([fine.ok, fine.outcome, fine.reports.map((r) => r.ok)]).toEqual([true, 'committed', [true]]);
  });
});
