/**
 * The old worker dies in the middle of a drained replacement. Before it handed its state over
 * (during quiesce), and after (while the candidate installs): the swap is refused with
 * `worker-crashed` (or, after the handover, commits when the candidate installs), the candidate is
 * terminated, the crash is a typed `crashed` event and status naming every accepted event it did not
 * process (the held ones included: never posted to a dead port, never silently lost), and the
 * component restarts from its last envelope — the handed-over one when there is one.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { hostInWorker, type WorkerComponent, type WorkerEvent } from '../../src/worker/index.ts';
import type { CounterEvent } from '../fixtures/worker/counter.ts';
import { contextOf, fixture, until } from './_support.ts';

const logOf = (c: WorkerComponent<any>): readonly number[] => contextOf(c).log;

function events(c: WorkerComponent<any>): WorkerEvent[] {
  const seen: WorkerEvent[] = [];
  c.onEvent((e) => seen.push(e));
  return seen;
}

function nextEvent(c: WorkerComponent<any>, type: WorkerEvent['type']): Promise<WorkerEvent> {
  return new Promise((resolve) => {
    const sub = c.onEvent((e) => {
      if (e.type !== type) return;
      sub.unsubscribe();
      resolve(e);
    });
  });
}

/** The promise the handover waits for outlasts any candidate start on a loaded machine. */
const FETCH_MS = 2000;

/** A running counter at v1 that processed ADD 1..3 and wrote a checkpoint holding them. */
async function counterWithCheckpoint(restart: 'manual' | 'auto', module = 'counter-v1'): Promise<WorkerComponent<CounterEvent>> {
  const c = await hostInWorker<CounterEvent>({ module: fixture(module), component: 'counter', restart, checkpoint: { everyMs: 10 } });
  for (const n of [1, 2, 3]) c.send({ type: 'ADD', n });
  await until(c, (s) => (s.context as { log: number[] }).log.length === 3);
  for (let i = 0; i < 200 && (c.lastCheckpoint?.snapshot as { context?: { log?: number[] } } | undefined)?.context?.log?.length !== 3; i++) await sleep(10);
  return c;
}

const tmp = mkdtempSync(join(tmpdir(), 'hotswap-crash-mid-swap-'));
afterAll(() => {
  delete process.env['HOTSWAP_TEST_HEARTBEAT'];
  rmSync(tmp, { recursive: true, force: true });
});

describe('the old worker dies during a drained replacement', () => {
  it('during quiesce: refuses with worker-crashed, terminates the candidate, reports the held events, restarts from the checkpoint', async () => {
    const c = await counterWithCheckpoint('manual', 'counter-v1-mortal');
    const seen = events(c);
    const beat = join(tmp, 'heartbeat');
    process.env['HOTSWAP_TEST_HEARTBEAT'] = beat; // the candidate's module writes it while its worker lives

    // the handover waits for a 10 s promise (policy `wait`); the old worker exits 600 ms after the
    // candidate imported its module (it says so on a BroadcastChannel): after the hold, in quiesce
    c.send({ type: 'FETCH', ms: 10_000 });
    const swapping = c.swap({ module: fixture('counter-v2-killer') }, { policies: { promises: 'wait' }, deadlineMs: 20_000 });
    // accepted while the candidate loads and while events are held: none may vanish
    let accepted = 0;
    const pump = setInterval(() => void (c.trySend({ type: 'ADD', n: 100 }).ok && accepted++), 5);
    const report = await swapping;
    clearInterval(pump);

    expect(report.outcome).toBe('refused');
    expect(report.phase).toBe('quiesce');
    expect(report.blockers).toContainEqual(expect.objectContaining({ kind: 'worker-crashed', role: 'old' }));
    expect(c.status).toBe('crashed');
    const crashed = seen.find((e) => e.type === 'crashed');
    expect(crashed).toMatchObject({ type: 'crashed', exitCode: 9, version: 1 });
    // the ADDs held during the swap were never processed: each is named (none posted to the dead port)
    const adds = (list: readonly { type: string }[]): number => list.filter((e) => e.type === 'ADD').length;
    const unprocessed = crashed!.type === 'crashed' ? crashed!.unprocessed : [];
    const uncheckpointed = crashed!.type === 'crashed' ? crashed!.uncheckpointed : [];
    expect(report.held).toBeGreaterThan(0);
    expect(adds(unprocessed)).toBeGreaterThanOrEqual(report.held);
    expect(c.pending).toBe(0); // all accounted for
    expect(await c.journal.entries()).toHaveLength(1);

    // the candidate was terminated: its heartbeat stops
    await sleep(300);
    const last = readFileSync(beat, 'utf8');
    await sleep(300);
    expect(readFileSync(beat, 'utf8')).toBe(last);

    expect(await c.restart()).toBe(true);
    expect(c.version).toBe(1);
    // every accepted ADD is in exactly one place: the checkpoint restarted from, or the crash report
    const restored = logOf(c);
    expect(restored.slice(0, 3)).toEqual([1, 2, 3]);
    expect(restored.length - 3 + adds(uncheckpointed) + adds(unprocessed)).toBe(accepted);
    c.send({ type: 'ADD', n: 4 });
    await until(c, (s) => (s.context as { log: number[] }).log.at(-1) === 4);
    await c.stop();
  });

  it('after the handover, while the candidate installs: refused in verify, held events reported, restarted from the handed-over envelope', async () => {
    const c = await counterWithCheckpoint('auto');
    const seen = events(c);
    c.send({ type: 'ADD', n: 4 }); // after the checkpoint: only the handed-over envelope holds it
    // the worker exits 100 ms after the handover (which waits for this promise); the candidate's
    // migration then takes 1.5 s and breaks v3's invariant
    c.send({ type: 'FETCH', ms: FETCH_MS, exitAfter: 100 });
    const restarted = nextEvent(c, 'restarted');
    const report = await (async () => {
      const swapping = c.swap({ module: fixture('counter-v3-bad-slow'), version: 3 }, { policies: { promises: 'wait' }, deadlineMs: 20_000 });
      await sleep(1);
      c.send({ type: 'ADD', n: 5 }); // held (or posted before the hold: then handed over)
      return swapping;
    })();
    expect(report.outcome).toBe('refused');
    expect(report.blockers).toContainEqual(expect.objectContaining({ kind: 'worker-crashed', role: 'old' }));
    const crashed = seen.find((e) => e.type === 'crashed');
    expect(crashed).toMatchObject({ type: 'crashed', exitCode: 9, uncheckpointed: [] });
    expect(await restarted).toMatchObject({ from: 'checkpoint', version: 1 });
    expect(c.status).toBe('running');
    // the state the old worker handed over (ADD 4 included), and ADD 5 exactly once: processed and
    // handed over, or held and reported as unprocessed
    const reported = crashed!.type === 'crashed' ? crashed!.unprocessed : [];
    const log = logOf(c);
    expect(log.slice(0, 4)).toEqual([1, 2, 3, 4]);
    expect(log.includes(5) ? 0 : 1).toBe(reported.filter((e) => e.type === 'ADD').length);
    await c.stop();
  });

  it('after the handover, when the candidate installs: commits — the old worker had nothing left to lose', async () => {
    const c = await counterWithCheckpoint('manual');
    const seen = events(c);
    c.send({ type: 'FETCH', ms: FETCH_MS, exitAfter: 100 });
    const swapping = c.swap({ module: fixture('counter-v2-slow') }, { policies: { promises: 'wait' }, deadlineMs: 20_000 });
    await sleep(1);
    c.send({ type: 'ADD', n: 4 });
    const report = await swapping;
    expect(report).toMatchObject({ outcome: 'committed', from: 1, to: 2 });
    await until(c, (s) => (s.context as { log: number[] }).log.length === 4);
    expect(logOf(c)).toEqual([1, 2, 3, 4]);
    await sleep(200);
    expect(seen.filter((e) => e.type === 'crashed')).toEqual([]);
    expect(c.status).toBe('running');
    await c.stop();
  });
});
