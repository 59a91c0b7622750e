/**
 * User code that throws inside the swap pipeline (observers, policy functions, quiescence checks), a
 * state that cannot be hashed and a journal that cannot be written: the swap still ends in a report and
 * the component keeps running (G7, G8).
 */
import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { createRuntime, defineVersion, lineage, type Journal } from '../../src/index.ts';
import { flush } from '../_support/async.ts';
import { driver } from '../fixtures/driver.ts';
import { makeLoader } from '../fixtures/loader.ts';

// Provenance: reproduced defects of the first review of the coordinator, and one of the third.
describe('a throw inside the pipeline never wedges the component (G7)', () => {
  it('an observer that throws during the commit: the swap commits, the error goes to onError', async () => {
    const errors: unknown[] = [];
    const c = createRuntime({ onError: (e) => errors.push(e) }).start(driver, { version: 1 });
    c.subscribe(() => {
      throw new Error('observer boom');
    });
    const report = await c.swap(2);
    expect(report.outcome).toBe('committed');
    expect(errors).toEqual([new Error('observer boom')]);
    expect(c.status).toBe('running');
    c.send({ type: 'ENQUEUE', id: 'a' });
    expect(c.getSnapshot().context.queue).toEqual(['a']);
    await c.stop();
  });

  it('a policy function that throws: refused with what threw, the old version resumes with the held events', async () => {
    const { loader, calls } = makeLoader();
    const c = createRuntime().start(loader, { version: 1 });
    c.send({ type: 'LOAD', url: 'a' });
    const swap = c.swap(2, {
      policies: {
        promises: () => {
          throw new Error('policy boom');
        },
      },
    });
    c.send({ type: 'PING', seq: 1 });
    const report = await swap;
    expect(report.outcome).toBe('refused');
    expect(report.blockers.map((b) => b.message)).toEqual(['aborted: quiesce threw Error: policy boom']);
    expect(c.status).toBe('running');
    expect(c.version).toBe(1);
    calls[0]!.resolve('A');
    await flush();
    expect(c.getSnapshot().context.log).toEqual(['v1:ping:1', 'v1:done:A']);
    expect((await c.swap(2)).outcome).toBe('committed');
  });

  // Provenance: third review.
  it('a quiescence check that throws still times the quiesce phase', async () => {
    const { loader } = makeLoader();
    const c = createRuntime().start(loader, { version: 1 });
    c.send({ type: 'LOAD', url: 'x' });
    const report = await c.swap(2, {
      policies: {
        promises: () => {
          throw new Error('boom');
        },
      },
    });
    expect(report.outcome).toBe('refused');
    expect(report.timings.quiesce).toBeTypeOf('number');
  });

  it('a state that cannot be hashed: the swap still reports, with the hash error', async () => {
    const m = setup({ types: { context: {} as { big: bigint } } }).createMachine({ id: 'b', context: { big: 1n }, initial: 'a', states: { a: {} } });
    const l = lineage('b', defineVersion({ version: 1, machine: m })).next(defineVersion({ version: 2, machine: m }), { up: (s) => s });
    const report = await createRuntime().start(l, { version: 1 }).swap(2);
    // a BigInt is no state persist() can write: refused at verify, still reported with the hash error
    expect(report.outcome).toBe('refused');
    expect(report.blockers.map((b) => b.kind)).toEqual(['unpersistable-value']);
    expect(report.errors?.[0]).toMatch(/^state hash: .*BigInt/);
  });

  it('a journal that cannot be written: the report still comes back, naming the journal error (G8)', async () => {
    const journal: Journal = {
      append: () => Promise.reject(new Error('disk full')),
      entries: () => [],
    };
    const report = await createRuntime({ journal }).start(driver, { version: 1 }).swap(2);
    expect(report.outcome).toBe('committed');
    expect(report.errors).toEqual(['journal: disk full']);
  });
});
