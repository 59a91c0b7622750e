/**
 * G1 and all-or-none across `swapAll`'s slices, as a property: events sent at arbitrary points of a
 * `swapAll` — while parts are held, checked, being resumed one slice at a time, or rolled back — are
 * each processed exactly once, in the order sent, by the version the decision chose for every part;
 * and the decision refuses exactly when an event the new version does not take was held before it.
 * Fixed seed (test/_support/fc.ts); prints what it covered.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { createRuntime, defineVersion, lineage, type LiveComponent } from '../../src/index.ts';
import { SWAP_ALL_SLICE_MS } from '../../src/swap/swap-all.ts';
import { fcParams, seed } from '../_support/fc.ts';

type Ev = { type: 'E'; n: number } | { type: 'OLD_ONLY' };
const machine = (v: 1 | 2) =>
  setup({ types: { context: {} as { log: string[] }, events: {} as Ev } }).createMachine({
    id: 'p',
    context: { log: [] },
    on: {
      E: { actions: assign({ log: ({ context, event }) => [...context.log, `v${v}:${event.n}`] }) },
      ...(v === 1 ? { OLD_ONLY: { actions: assign({ log: ({ context }) => [...context.log, 'v1:old-only'] }) } } : {}),
    },
  });
const ps = lineage('p', defineVersion({ version: 1, machine: machine(1) })).next(defineVersion({ version: 2, machine: machine(2) }), { up: (s) => s });

/** The stages at which events are sent: all after the hold. */
const HELD_STAGES = ['quiesce', 'install', 'check', 'commit', 'rollback', 'journal'] as const;

const spin = (): void => {
  const until = performance.now() + SWAP_ALL_SLICE_MS + 1;
  while (performance.now() < until);
};

const covered = new Map<string, number>();
afterAll(() => {
  console.log(`swapAll sliced commit, seed ${seed}:\n${[...covered].sort().map(([k, n]) => `  ${k}: ${n}`).join('\n')}`);
});

describe('swapAll in slices (property)', () => {
  it('delivers every event sent during it exactly once, in order, to the version the decision chose (G1, G2)', async () => {
    const arb = fc.record({
      parts: fc.integer({ min: 2, max: 4 }),
      // which parts resume slowly (a slice each), so the commit interleaves with the sends
      slow: fc.array(fc.nat(3).map((x) => x > 0), { minLength: 4, maxLength: 4 }),
      // what each progress report triggers: sends to parts, an OLD_ONLY now and then
      sends: fc.array(fc.array(fc.record({ part: fc.nat(3), oldOnly: fc.nat(5).map((x) => x === 0) }), { maxLength: 3 }), { maxLength: 12 }),
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ parts, slow, sends }) => {
        const runtime = createRuntime();
        try {
          const comps: LiveComponent<any>[] = [];
          const spun = new Set<number>();
          let commitStarted = false;
          for (let i = 0; i < parts; i++) {
            const c = runtime.start(ps, { version: 1, id: `p${i}` });
            // the first snapshot a slow part emits during the commit is its resume: it outlasts a slice
            c.subscribe(() => {
              if (commitStarted && slow[i] === true && !spun.has(i)) {
                spun.add(i);
                spin();
              }
            });
            comps.push(c);
          }
          const sent: Ev[][] = comps.map(() => []);
          let n = 0;
          let step = 0;
          let oldOnlyBeforeDecision = false;
          let sentWhileSplit = 0;
          const all = await runtime.swapAll(comps.map((component) => ({ component, target: 2 })), {
            onProgress: (p) => {
              if (p.stage === 'check' && p.done === p.total) commitStarted = true;
              if (!(HELD_STAGES as readonly string[]).includes(p.stage)) return;
              const split = p.stage === 'commit' && new Set(comps.map((c) => c.version)).size > 1;
              for (const s of sends[step++] ?? []) {
                const i = s.part % parts;
                const e: Ev = s.oldOnly ? { type: 'OLD_ONLY' } : { type: 'E', n: ++n };
                if (e.type === 'OLD_ONLY' && (p.stage === 'quiesce' || p.stage === 'install' || p.stage === 'check')) oldOnlyBeforeDecision = true;
                if (split) sentWhileSplit++;
                comps[i]!.send(e);
                sent[i]!.push(e);
              }
            },
          });
          // refused exactly when an event v2 does not take was held before the decision
          expect(all.ok).toBe(!oldOnlyBeforeDecision);
          const v = all.ok ? 2 : 1;
          expect(comps.map((c) => c.version)).toEqual(comps.map(() => v));
          comps.forEach((c, i) => {
            const expected = sent[i]!.flatMap((e) => (e.type === 'E' ? [`v${v}:${e.n}`] : v === 1 ? ['v1:old-only'] : []));
            expect(c.getSnapshot().context.log).toEqual(expected);
          });
          const key = `${all.ok ? 'committed' : 'refused'}${sentWhileSplit > 0 ? ', events sent while some parts were resumed and some not' : ''}`;
          covered.set(key, (covered.get(key) ?? 0) + 1);
        } finally {
          await runtime.stop();
        }
      }),
      fcParams(60),
    );
    expect(covered.size).toBeGreaterThanOrEqual(3);
  });
});
