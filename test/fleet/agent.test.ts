/**
 * The fleet agent on its own (in-memory store): what it registers, how it refuses steps it cannot take
 * (an instance it does not host, one that moved to another version meanwhile), that a step already on
 * its target is recorded as done without a second swap, and its option checks.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStore, startAgent, type StepOutcome } from '../../src/fleet/index.ts';
import { createRuntime } from '../../src/index.ts';
import { counterLineages } from './_support/counter.ts';

describe('a fleet agent', () => {
  it("registers its process's running components with their versions, and only those", async () => {
    const store = createMemoryStore();
    const runtime = createRuntime();
    const a = runtime.start(counterLineages.good, { id: 'x', version: 1 });
    const b = runtime.start(counterLineages.good, { id: 'y', version: 2 });
    await runtime.start(counterLineages.good, { id: 'z', version: 1 }).stop();
    const agent = await startAgent({ store, agentId: 'ag', components: () => runtime.components(), pollMs: 10 });
    try {
      expect((await store.instances('counter')).map((i) => [i.instance, i.version, i.agentId, i.alive])).toEqual([
        ['x', 1, 'ag', true],
        ['y', 2, 'ag', true],
      ]);
      expect([a.version, b.version]).toEqual([1, 2]);
    } finally {
      await agent.stop();
      await runtime.stop();
    }
  });

  it('refuses a step for an instance it no longer hosts, and records one already on its target without swapping it again', async () => {
    const store = createMemoryStore();
    const runtime = createRuntime();
    const hosted = [runtime.start(counterLineages.good, { id: 'gone', version: 1 }), runtime.start(counterLineages.good, { id: 'moved', version: 1 }), runtime.start(counterLineages.good, { id: 'there', version: 1 })];
    let offered = hosted;
    const agent = await startAgent({ store, agentId: 'ag', components: () => offered, pollMs: 10 });
    try {
      // after registration, the process changes and the store does not know yet (no refresh)
      offered = hosted.filter((c) => c.id !== 'gone');
      await hosted[2]!.swap(2);
      const started = await store.startRollout({ id: 'r', component: 'counter', from: 1, to: 2, waves: [{ share: 1 }], gate: { soakMs: 0, maxFailureRate: 1, onUnknown: 'pause' }, by: 't' });
      expect(started.ok).toBe(true);
      for (let i = 0; i < 500; i++) {
        const w = (await store.view('r'))!.waves[0]!;
        if (w.done + w.failed === 3) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      const attempts = (await store.audit('r')).filter((e) => e.kind === 'instance-attempt');
      const by = Object.fromEntries(attempts.map((e) => [e.instance, e.data]));
      expect(by['gone']).toMatchObject({ outcome: 'refused', blockers: [{ kind: 'not-hosted', message: 'instance gone of counter is not running in agent ag' }] });
      expect(by['there']).toMatchObject({ outcome: 'committed', from: 2, to: 2, journalId: 'already-there' });
      expect(by['moved']).toMatchObject({ outcome: 'committed', from: 1, to: 2 }); // the plain case, alongside
      expect(hosted.map((c) => c.version)).toEqual([1, 2, 2]);
    } finally {
      await agent.stop();
      await runtime.stop();
    }
  });

  it('skips outcomes for steps it no longer holds (its lease ran out and they were declared unknown)', async () => {
    let now = 0;
    const store = createMemoryStore({ now: () => now });
    await store.registerAgent({ agentId: 'ag', process: 'p', instances: [{ component: 'c', instance: 'i', version: 1 }] }, 1000);
    await store.startRollout({ id: 'r', component: 'c', from: 1, to: 2, waves: [{ share: 1 }], gate: { soakMs: 0, maxFailureRate: 0, onUnknown: 'pause' }, by: 't' });
    const [step] = await store.claimSteps('ag', 10);
    now = 5000; // the lease ran out
    expect(await store.heartbeat('ag', 1000)).toBe(false);
    expect(await store.expireDeadAgents('r')).toBe(1);
    const outcome: StepOutcome = { rolloutId: 'r', kind: 'up', instance: step!.instance, report: { outcome: 'committed', from: 1, to: 2, blockers: [], pauseUs: 0, totalUs: 0, journalId: 'j' } };
    expect(await store.completeSteps('ag', [outcome])).toBe(0);
    expect((await store.view('r'))!.waves[0]).toMatchObject({ unknown: 1, done: 0 });
    expect((await store.instances('c'))[0]).toMatchObject({ version: 1, alive: false });
  });

  it('refuses malformed options with INVALID_ARGUMENT', async () => {
    const store = createMemoryStore();
    await expect(startAgent({ store, agentId: '', components: () => [] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/`agentId`/) });
    await expect(startAgent({ store, agentId: 'a', components: () => [], leaseMs: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/`leaseMs`/) });
    await expect(startAgent({ store, agentId: 'a', components: () => [], sliceMs: 0.5 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/`sliceMs`/) });
    await expect(startAgent({ store, agentId: 'a', components: undefined as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
