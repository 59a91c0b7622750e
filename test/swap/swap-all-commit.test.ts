/**
 * `swapAll`'s commit in slices (src/swap/_internal/commit-gate.ts): the decision is taken once, then
 * the parts resume one slice at a time while the event loop runs between them. What arrives meanwhile
 * — events sent, an old actor's delayed event, a new actor's carried one, a runtime timer — lands
 * exactly once, in order, on the version the decision chose; a refusal or an abort found before the
 * decision leaves every part on its old version. No timing asserts: an observer that outlasts a slice
 * makes every part's resume a slice of its own, and a `ManualClock` decides when timers fire.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { createRuntime, defineVersion, lineage, ManualClock, type LiveComponent, type SwapAllProgress } from '../../src/index.ts';
import { SWAP_ALL_SLICE_MS } from '../../src/swap/swap-all.ts';

type Ev = { type: 'E'; n: number } | { type: 'OLD_ONLY' };
type Ctx = { log: string[]; who: string };
/** Every delay the old version's code ran, by part: old code after a commit would show here (G4). */
const oldRan: string[] = [];
/** Both versions log what they process, tagged with their version; each waits 50 ms, then expires. */
const machine = (v: 1 | 2) =>
  setup({ types: { context: {} as Ctx, events: {} as Ev, input: {} as { who: string } } }).createMachine({
    id: 'part',
    context: ({ input }) => ({ log: [], who: input.who }),
    initial: 'waiting',
    states: {
      waiting: {
        after: {
          50: {
            target: 'expired',
            actions: [assign({ log: ({ context }) => [...context.log, `v${v}:timeout`] }), ({ context }) => void (v === 1 && oldRan.push(context.who))],
          },
        },
        on: {
          E: { actions: assign({ log: ({ context, event }) => [...context.log, `v${v}:${event.n}`] }) },
          ...(v === 1 ? { OLD_ONLY: { actions: assign({ log: ({ context }) => [...context.log, 'v1:old-only'] }) } } : {}),
        },
      },
      expired: {
        on: { E: { actions: assign({ log: ({ context, event }) => [...context.log, `v${v}:${event.n}`] }) } },
      },
    },
  });
const parts = lineage('part', defineVersion({ version: 1, machine: machine(1) })).next(defineVersion({ version: 2, machine: machine(2) }), { up: (s) => s });

/** Spins past one slice: a part whose resume calls it takes a slice of its own. */
const outlastSlice = (): void => {
  const until = performance.now() + SWAP_ALL_SLICE_MS + 2;
  while (performance.now() < until);
};

let stopAll: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stopAll?.();
  stopAll = undefined;
  oldRan.length = 0;
});

/** `n` parts on v1 whose observers outlast a slice while `slow.on` (the commit's resumes, then). */
function start(n: number, clock = new ManualClock()) {
  const runtime = createRuntime({ clock });
  stopAll = () => runtime.stop();
  const slow = { on: false };
  const comps: LiveComponent<any>[] = [];
  for (let i = 0; i < n; i++) {
    const c = runtime.start(parts, { version: 1, id: `p${i}`, input: { who: `p${i}` } });
    c.subscribe(() => slow.on && outlastSlice());
    comps.push(c);
  }
  return { runtime, comps, slow, clock };
}

const logOf = (c: LiveComponent<any>): string[] => c.getSnapshot().context.log;

describe('swapAll commit in slices', () => {
  it('resumes the parts one slice at a time after one decision; events sent meanwhile land once, in order, on the new version', async () => {
    const { runtime, comps, slow } = start(4);
    const progress: SwapAllProgress[] = [];
    const seenDuringCommit: number[][] = [];
    let n = 0;
    const all = await runtime.swapAll(comps.map((component) => ({ component, target: 2 })), {
      onProgress: (p) => {
        progress.push(p);
        // the decision comes right after the last check: from here on each resume outlasts a slice
        if (p.stage === 'check' && p.done === p.total) slow.on = true;
        if (p.stage === 'commit' && p.done < p.total) {
          seenDuringCommit.push(comps.map((c) => c.version));
          // to resumed parts and to parts still held alike: two events each
          for (const c of comps) c.send({ type: 'E', n: ++n });
          for (const c of comps) c.send({ type: 'E', n: ++n });
        }
      },
    });
    slow.on = false;
    expect(all.ok).toBe(true);
    expect(comps.map((c) => c.version)).toEqual([2, 2, 2, 2]);
    // the loop ran between the resumes: each time, some parts were resumed and some not yet
    expect(progress.filter((p) => p.stage === 'commit').map((p) => p.done)).toEqual([1, 2, 3, 4]);
    expect(seenDuringCommit).toEqual([
      [2, 1, 1, 1],
      [2, 2, 1, 1],
      [2, 2, 2, 1],
    ]);
    // every event sent during the commit, exactly once, in the order sent, all by v2
    comps.forEach((c, i) => {
      const sent = [0, 1, 2].flatMap((round) => [round * 8 + i + 1, round * 8 + 4 + i + 1]);
      expect(logOf(c)).toEqual(sent.map((k) => `v2:${k}`));
    });
  });

  it('drops an old actor delay that falls due after the decision, and fires the carried one once, on the new version, after the held events', async () => {
    const { runtime, comps, slow, clock } = start(3);
    clock.advance(20); // 30 ms left on every part's `after: 50`
    let advanced = false;
    const all = await runtime.swapAll(comps.map((component) => ({ component, target: 2 })), {
      onProgress: (p) => {
        if (p.stage === 'check' && p.done === p.total) slow.on = true;
        if (p.stage === 'commit' && p.done === 1 && !advanced) {
          advanced = true;
          // parts 1 and 2 are decided, not resumed: an event held for them, then both their delays fall due
          comps[2]!.send({ type: 'E', n: 1 });
          clock.advance(40);
        }
      },
    });
    slow.on = false;
    expect(advanced).toBe(true);
    expect(all.ok).toBe(true);
    // no old code ran after the decision
    expect(oldRan).toEqual([]);
    // part 0 was resumed: its carried delay fired on v2 then
    expect(logOf(comps[0]!)).toEqual(['v2:timeout']);
    // part 1: the old actor's delay was dropped (v1 never ran it), the new one held until the resume
    expect(logOf(comps[1]!)).toEqual(['v2:timeout']);
    // part 2: the held event first, then the delay that fell due while it waited
    expect(logOf(comps[2]!)).toEqual(['v2:1', 'v2:timeout']);
    expect(comps.map((c) => c.getSnapshot().value)).toEqual(['expired', 'expired', 'expired']);
  });

  it('refuses every part when an event the new version does not take is held after the last check (G5)', async () => {
    const { runtime, comps } = start(3);
    const stages: string[] = [];
    const all = await runtime.swapAll(comps.map((component) => ({ component, target: 2 })), {
      onProgress: (p) => {
        stages.push(p.stage);
        // every part passed its check: this event can only be caught by the decision itself
        if (p.stage === 'check' && p.done === p.total) comps[1]!.send({ type: 'OLD_ONLY' });
      },
    });
    expect(all.ok).toBe(false);
    expect(all.reports[1]!.blockers).toMatchObject([{ kind: 'unaccepted-event', event: 'OLD_ONLY' }]);
    expect([0, 2].every((i) => all.reports[i]!.blockers.every((b) => b.kind === 'aborted'))).toBe(true);
    expect(stages).toContain('rollback');
    expect(stages).not.toContain('commit');
    expect(comps.map((c) => c.version)).toEqual([1, 1, 1]);
    expect(logOf(comps[1]!)).toEqual(['v1:old-only']);
  });

  it('refuses every part when an old actor was sent something after its install (its migrated state may be stale)', async () => {
    const { runtime, comps, clock } = start(3);
    clock.advance(20);
    const all = await runtime.swapAll(comps.map((component) => ({ component, target: 2 })), {
      onProgress: (p) => {
        // every part installed, none decided: the old actors' delays fall due now
        if (p.stage === 'check' && p.done === p.total) clock.advance(40);
      },
    });
    expect(all.ok).toBe(false);
    expect(all.reports.some((r) => r.blockers.some((b) => b.kind === 'aborted' && b.message.includes('moved on its own')))).toBe(true);
    // nothing was swapped; each old version ran its own delay once; no new one survived to run it again
    expect(comps.map((c) => c.version)).toEqual([1, 1, 1]);
    expect(comps.map(logOf)).toEqual([['v1:timeout'], ['v1:timeout'], ['v1:timeout']]);
    expect(oldRan).toEqual(['p0', 'p1', 'p2']);
    clock.advance(1_000);
    expect(comps.map(logOf)).toEqual([['v1:timeout'], ['v1:timeout'], ['v1:timeout']]);
  });

  it('rolls every part back when the caller aborts between slices; events held meanwhile reach the old versions in order', async () => {
    const { runtime, comps } = start(3);
    const controller = new AbortController();
    const all = await runtime.swapAll(comps.map((component) => ({ component, target: 2 })), {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.stage === 'install' && p.done === p.total) {
          comps[0]!.send({ type: 'E', n: 1 });
          comps[0]!.send({ type: 'E', n: 2 });
          controller.abort('operator said stop');
        }
      },
    });
    expect(all.ok).toBe(false);
    expect(all.reports.every((r) => r.blockers.some((b) => b.kind === 'aborted'))).toBe(true);
    expect(all.reports[0]!.blockers[0]!.message).toContain('operator said stop');
    expect(all.reports[2]!.blockers[0]!.message).toBe('aborted: swapAll aborted (operator said stop), so every component keeps its version');
    expect(comps.map((c) => c.version)).toEqual([1, 1, 1]);
    expect(logOf(comps[0]!)).toEqual(['v1:1', 'v1:2']);
    // the old versions serve on, their delays intact
    comps[1]!.send({ type: 'E', n: 3 });
    expect(logOf(comps[1]!)).toEqual(['v1:3']);
  });
});
