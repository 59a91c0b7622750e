/**
 * Racing controllers on the in-memory store: fast-check's scheduler interleaves every store call of
 * three controllers, an agent and the people who resume or abort paused rollouts. Whatever the order,
 * the rollout never advances twice for one reason: each wave opens once, each gate decides once, every
 * successful move bumps the version by exactly one, every loser gets `CAS_LOST` carrying a newer state,
 * and the end state is one the audit log explains. Runs at the project's fixed seed (test/_support/fc.ts)
 * and prints what the runs covered.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryStore, resumeRollout, abortRollout, startRollout, tick, type FleetStore, type GateVerdict, type MoveResult } from '../../src/fleet/index.ts';
import { fcParams } from '../_support/fc.ts';

/** Every store call waits for the scheduler: the interleavings are fast-check's to choose. */
function scheduled(store: FleetStore, s: fc.Scheduler): FleetStore {
  return new Proxy(store, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (typeof value !== 'function' || key === 'subscribe') return value;
      return async (...args: unknown[]) => {
        await s.schedule(Promise.resolve(), String(key));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

const covered = { runs: 0, casLost: 0, completed: 0, aborted: 0, pausedThenResumed: 0, pausedThenAborted: 0 };
afterAll(() => console.log(`controllers-race covered: ${JSON.stringify(covered)}`));

describe('two or more controllers racing on one rollout', () => {
  it('never double-advance: one move per wave and gate, losers get CAS_LOST with the current state', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.oneof(fc.record({ count: fc.integer({ min: 0, max: 4 }) }), fc.record({ share: fc.double({ min: 0.05, max: 1, noNaN: true }) })), { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 0, max: 9 }).map((n) => n === 0), { minLength: 8, maxLength: 8 }), // ~10 % of swaps refused
        fc.array(fc.constantFrom<GateVerdict>('pass', 'pass', 'pass', 'inconclusive', 'fail'), { minLength: 4, maxLength: 4 }),
        fc.boolean(),
        async (s, instances, waves, refuses, verdicts, personAborts) => {
          covered.runs++;
          const base = createMemoryStore();
          const store = scheduled(base, s);
          await base.registerAgent({ agentId: 'agent', process: 'p', instances: Array.from({ length: instances }, (_, i) => ({ component: 'c', instance: `i${i}`, version: 1 })) }, 3_600_000);
          const started = await startRollout(base, { component: 'c', from: 1, to: 2, waves, id: 'r' });
          if (!started.ok) throw new Error(started.message);
          const results: MoveResult[] = [];
          const finalOrPaused = async (): Promise<string> => (await base.view('r'))!.rollout.status;
          const controller = async (): Promise<void> => {
            for (let i = 0; i < 400; i++) {
              const t = await tick(store, 'r', { check: ({ evidence }) => verdicts[evidence.wave] ?? 'pass' });
              if (t.move !== undefined) results.push(t.move);
              const status = t.view.rollout.status;
              if (status === 'completed' || status === 'aborted') return;
              if (status === 'paused') {
                // people race too: one resumes, one aborts, each with the version they read
                const v = t.view.rollout.version;
                const move = personAborts ? await abortRollout(store, 'r', { expectedVersion: v, by: 'ops' }) : await resumeRollout(store, 'r', { expectedVersion: v, by: 'ops' });
                results.push(move);
                if (move.ok) covered[personAborts ? 'pausedThenAborted' : 'pausedThenResumed']++;
              }
            }
          };
          const agent = async (): Promise<void> => {
            for (let i = 0; i < 400; i++) {
              const steps = await store.claimSteps('agent', 3);
              await store.completeSteps(
                'agent',
                steps.map((st) => {
                  const refused = st.kind === 'up' && refuses[Number(st.instance.slice(1))] === true;
                  return { rolloutId: 'r', kind: st.kind, instance: st.instance, report: { outcome: refused ? 'refused' : 'committed', from: st.from, to: st.target, blockers: refused ? [{ kind: 'invariant-violation', message: 'no' }] : [], pauseUs: 0, totalUs: 0, journalId: '' } };
                }),
              );
              const status = await finalOrPaused();
              if (status === 'completed' || status === 'aborted') return;
            }
          };
          await s.waitFor(Promise.all([controller(), controller(), controller(), agent()]));

          const view = (await base.view('r'))!;
          const audit = await base.audit('r');
          expect(['completed', 'aborted']).toContain(view.rollout.status);
          covered[view.rollout.status as 'completed' | 'aborted']++;
          const per = (kind: string) => audit.filter((e) => e.kind === kind).map((e) => e.wave);
          const once = (xs: (number | null)[]) => expect(new Set(xs).size).toBe(xs.length);
          once(per('wave-opened'));
          once(per('wave-settled'));
          once(per('gate-decision'));
          // every successful move is one audit entry and one version
          const wins = results.filter((r) => r.ok).length;
          expect(view.rollout.version).toBe(1 + wins);
          expect(audit.filter((e) => ['wave-settled', 'gate-decision', 'resumed', 'abort-requested', 'aborted'].includes(e.kind))).toHaveLength(wins);
          for (const r of results) {
            if (!r.ok && r.code === 'CAS_LOST') {
              covered.casLost++;
              expect(r.current.version).toBeGreaterThan(1);
            } else expect(r.ok ? r : { code: r.code, message: r.message }).toMatchObject({ ok: true });
          }
          // the end state the audit log explains
          const attempts = audit.filter((e) => e.kind === 'instance-attempt');
          if (view.rollout.status === 'completed') {
            expect(view.waves.every((w) => w.failed === 0)).toBe(true); // a failed swap fails its gate: no completion past it
            expect(audit.some((e) => e.kind === 'gate-decision' && e.data['verdict'] === 'fail')).toBe(false);
            expect(attempts.filter((e) => e.data['kind'] === 'up' && e.data['outcome'] === 'committed').length + attempts.filter((e) => e.data['outcome'] === 'refused').length).toBe(instances);
          } else {
            const upgraded = attempts.filter((e) => e.data['kind'] === 'up' && e.data['outcome'] === 'committed').map((e) => e.instance).sort();
            const reverted = attempts.filter((e) => e.data['kind'] === 'down' && e.data['outcome'] === 'committed').map((e) => e.instance).sort();
            expect(reverted).toEqual(upgraded);
            expect((await base.instances('c')).every((i) => i.version === 1)).toBe(true);
          }
        },
      ),
      fcParams(100),
    );
    expect(covered.casLost).toBeGreaterThan(0);
  });
});
