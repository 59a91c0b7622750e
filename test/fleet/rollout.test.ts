/**
 * Rollout semantics, the same tests against both stores — in memory, and a real PostgreSQL server
 * started for this file — with in-process agents swapping live counters: waves and gates, a failing
 * canary reverted, a dead agent's instances reported unknown, a person's resume and abort, and
 * compare-and-set refusals carrying the current state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abortRollout, createMemoryStore, createPostgresStore, driveRollout, resumeRollout, startRollout, tick, type FleetStore } from '../../src/fleet/index.ts';
import { startFleet } from './_support/fleet.ts';
import { startPostgres, type PgServer } from './_support/postgres.ts';

let pg: PgServer | undefined;
let url = '';
let schemas = 0;
beforeAll(async () => {
  pg = await startPostgres();
  url = await pg.database('rollout');
});
afterAll(async () => pg?.stop());

const stores: [string, () => Promise<FleetStore>][] = [
  ['in memory', async () => createMemoryStore()],
  ['on PostgreSQL', async () => createPostgresStore({ connectionString: url, schema: `t${++schemas}` })],
];

describe.each(stores)('a rollout %s', (_name, makeStore) => {
  it('upgrades every instance in three gated waves while events keep flowing, one gate decision per wave', async () => {
    const store = await makeStore();
    const fleet = await startFleet(store, { agents: 2, instances: 5 });
    const sender = setInterval(() => fleet.send(), 2);
    try {
      const started = await startRollout(store, { component: 'counter', from: 1, to: 2, waves: [{ count: 1 }, { share: 0.5 }, { share: 1 }], by: 'test' });
      expect(started.ok).toBe(true);
      if (!started.ok) return;
      expect(started.rollout.sizes).toEqual([1, 4, 5]);
      const end = await driveRollout(store, started.rollout.id, { pollMs: 20 });
      expect(end.rollout.status).toBe('completed');
      expect(end.waves.map((w) => w.done)).toEqual([1, 4, 5]);
      clearInterval(sender);
      fleet.send();
      await new Promise((r) => setTimeout(r, 20));
      expect(fleet.components.map((c) => c.version)).toEqual(Array(10).fill(2));
      expect(fleet.g1()).toEqual({ lost: 0, duplicated: 0, outOfOrder: 0 });
      const audit = await store.audit(started.rollout.id);
      expect(audit.filter((e) => e.kind === 'gate-decision').map((e) => [e.wave, e.data['verdict']])).toEqual([[0, 'pass'], [1, 'pass'], [2, 'pass']]);
      expect(audit.filter((e) => e.kind === 'wave-opened').map((e) => e.wave)).toEqual([0, 1, 2]);
      expect(new Set(audit.filter((e) => e.kind === 'instance-attempt').map((e) => e.instance)).size).toBe(10);
      expect((await store.instances('counter')).every((i) => i.version === 2)).toBe(true);
    } finally {
      clearInterval(sender);
      await fleet.stop();
      await store.close();
    }
  });

  it('stops a failing canary at its gate and reverts the instance it had upgraded through the down link', async () => {
    const store = await makeStore();
    // canary = a0/i0 (idle: v2 accepts it) and a0/i1 (busy: v2's invariant refuses it)
    const fleet = await startFleet(store, { agents: 1, instances: 4, lineage: 'bad', busy: ['a0/i1', 'a0/i2', 'a0/i3'] });
    try {
      const started = await startRollout(store, { component: 'counter', from: 1, to: 2, waves: [{ count: 2 }, { share: 1 }] });
      if (!started.ok) throw new Error(started.message);
      const end = await driveRollout(store, started.rollout.id, { pollMs: 20 });
      expect(end.rollout.status).toBe('aborted');
      expect(end.rollout.reason).toMatch(/^gate 1 failed: failure rate 50 %/);
      expect(end.waves[0]).toMatchObject({ done: 1, failed: 1 });
      expect(end.waves[1]).toMatchObject({ cancelled: 2, done: 0 });
      expect(end.revert).toMatchObject({ total: 1, done: 1 });
      expect(fleet.components.map((c) => c.version)).toEqual([1, 1, 1, 1]);
      const audit = await store.audit(started.rollout.id);
      const gate = audit.find((e) => e.kind === 'gate-decision');
      expect(gate?.data).toMatchObject({ verdict: 'fail', evidence: { done: 1, failed: 1, blockers: { 'invariant-violation': 1 } } });
      const attempts = audit.filter((e) => e.kind === 'instance-attempt').map((e) => [e.instance, e.data['kind'], e.data['outcome']]);
      expect(attempts).toEqual(expect.arrayContaining([['a0/i0', 'up', 'committed'], ['a0/i1', 'up', 'refused'], ['a0/i0', 'down', 'committed']]));
      expect(attempts).toHaveLength(3);
    } finally {
      await fleet.stop();
      await store.close();
    }
  });

  it("reports a dead agent's instances unknown, never upgraded, pauses for a person, and resumes on their word", async () => {
    const store = await makeStore();
    const fleet = await startFleet(store, { agents: 2, instances: 2, leaseMs: 1000 });
    try {
      await fleet.agents[1]!.stop(); // agent-1 dies: its lease runs out
      const started = await startRollout(store, { component: 'counter', from: 1, to: 2, waves: [{ share: 1 }] });
      if (!started.ok) throw new Error(started.message);
      const paused = await driveRollout(store, started.rollout.id, { pollMs: 20 });
      expect(paused.rollout.status).toBe('paused');
      expect(paused.waves[0]).toMatchObject({ done: 2, unknown: 2 });
      expect(fleet.components.map((c) => c.version)).toEqual([2, 2, 1, 1]);
      const unknown = (await store.audit(started.rollout.id)).filter((e) => e.kind === 'instance-unknown');
      expect(unknown.map((e) => e.instance).sort()).toEqual(['a1/i0', 'a1/i1']);
      const stale = await resumeRollout(store, started.rollout.id, { expectedVersion: paused.rollout.version - 1, by: 'alice' });
      expect(stale).toMatchObject({ ok: false, code: 'CAS_LOST', current: { status: 'paused', version: paused.rollout.version } });
      const resumed = await resumeRollout(store, started.rollout.id, { expectedVersion: paused.rollout.version, by: 'alice' });
      expect(resumed).toMatchObject({ ok: true, rollout: { status: 'completed', reason: 'resumed by alice' } });
      expect(await abortRollout(store, started.rollout.id)).toMatchObject({ ok: false, code: 'INVALID_MOVE', current: { status: 'completed' } });
    } finally {
      await fleet.stop();
      await store.close();
    }
  });

  it('pauses when the caller check is inconclusive or throws, and an abort then reverts what was upgraded', async () => {
    const store = await makeStore();
    const fleet = await startFleet(store, { agents: 1, instances: 3 });
    try {
      const started = await startRollout(store, { component: 'counter', from: 1, to: 2, waves: [{ count: 1 }, { share: 1 }], gate: { soakMs: 50 } });
      if (!started.ok) throw new Error(started.message);
      let calls = 0;
      const paused = await driveRollout(store, started.rollout.id, {
        pollMs: 10,
        check: ({ evidence }) => {
          calls++;
          if (evidence.done !== 1) return 'fail';
          throw new Error('metrics unreachable');
        },
      });
      expect(calls).toBe(1);
      expect(paused.rollout.status).toBe('paused');
      const audit = await store.audit(started.rollout.id);
      const settledAt = audit.find((e) => e.kind === 'wave-settled')!.at;
      const gate = audit.find((e) => e.kind === 'gate-decision')!;
      expect(gate.at - settledAt).toBeGreaterThanOrEqual(50); // the soak, on the store's clock
      expect(gate.data['evidence']).toMatchObject({ check: { verdict: 'inconclusive', detail: 'the check threw: metrics unreachable' } });
      expect(await abortRollout(store, started.rollout.id, { by: 'bob', reason: 'metrics down' })).toMatchObject({ ok: true, rollout: { status: 'reverting' } });
      const end = await driveRollout(store, started.rollout.id, { pollMs: 10 });
      expect(end.rollout).toMatchObject({ status: 'aborted', reason: 'aborted by bob: metrics down' });
      expect(fleet.components.map((c) => c.version)).toEqual([1, 1, 1]);
    } finally {
      await fleet.stop();
      await store.close();
    }
  });

  it('lets one rollout per component run, refuses an empty one, and makes a re-run tick a no-op', async () => {
    const store = await makeStore();
    const fleet = await startFleet(store, { agents: 1, instances: 1 });
    try {
      expect(await startRollout(store, { component: 'nothing', from: 1, to: 2 })).toMatchObject({ ok: false, code: 'NO_INSTANCES' });
      const a = await startRollout(store, { component: 'counter', from: 1, to: 2, id: 'r1' });
      expect(await startRollout(store, { component: 'counter', from: 1, to: 2, id: 'r1' })).toMatchObject({ ok: false, code: 'ROLLOUT_EXISTS' });
      expect(await startRollout(store, { component: 'counter', from: 1, to: 2 })).toMatchObject({ ok: false, code: 'ROLLOUT_ACTIVE', current: { id: 'r1' } });
      expect(a.ok).toBe(true);
      const view = await store.view('r1');
      const t = await tick(store, 'r1'); // the canary is not settled yet, or settles: either way one move at most
      const again = await tick(store, 'r1');
      expect((again.view.rollout.version - view!.rollout.version)).toBeLessThanOrEqual((t.move?.ok === true ? 1 : 0) + (again.move?.ok === true ? 1 : 0));
      await expect(startRollout(store, { component: 'counter', from: 1, to: 1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(startRollout(store, { component: 'counter', from: 1, to: 2, waves: [{ share: 0 }] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    } finally {
      await fleet.stop();
      await store.close();
    }
  });
});
