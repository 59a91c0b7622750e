/**
 * Rollouts across real processes on a real PostgreSQL server: agent child processes (bounded: 2–3 per
 * test, each killed if it outlives the test) serve numbered events to their counters throughout, and
 * report per instance whether every event was processed exactly once, in order (G1). A controller in
 * this process, or `hotswap rollout` as a child process that gets SIGKILLed and is taken over by another.
 */
import { execFile, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore, driveRollout, resumeRollout, startRollout, type AuditEntry } from '../../src/fleet/index.ts';
import { bundleAgent, startAgentProcess, type AgentProcess } from './_support/processes.ts';
import { startPostgres, type PgServer } from './_support/postgres.ts';

const bin = fileURLToPath(new URL('../../bin/hotswap.js', import.meta.url));
let server: PgServer | undefined;
let url = '';
let script = '';
let running: AgentProcess[] = [];
beforeAll(async () => {
  [server, script] = await Promise.all([startPostgres(), bundleAgent()]);
  url = await server.database('processes');
});
afterEach(() => {
  for (const a of running) a.kill();
  running = [];
});
afterAll(async () => {
  await server?.stop();
  if (script !== '') await rm(script, { force: true });
});

async function agents(schema: string, n: number, extra: (i: number) => Record<string, string> = () => ({})): Promise<AgentProcess[]> {
  running = await Promise.all(Array.from({ length: n }, (_, i) => startAgentProcess(script, { db: url, schema, agent: `p${i}`, ...extra(i) })));
  return running;
}

describe('a rollout over agent processes', () => {
  it('upgrades every instance of three processes in three gated waves while each serves events, losing none', async () => {
    const store = await createPostgresStore({ connectionString: url, schema: 'three_waves' });
    try {
      const procs = await agents('three_waves', 3, () => ({ instances: '4' }));
      const started = await startRollout(store, { component: 'counter', from: 1, to: 2, waves: [{ count: 1 }, { share: 0.5 }, { share: 1 }], gate: { soakMs: 100 } });
      if (!started.ok) throw new Error(started.message);
      expect(started.rollout.sizes).toEqual([1, 5, 6]);
      const end = await driveRollout(store, started.rollout.id, { pollMs: 50 });
      expect(end.rollout.status).toBe('completed');
      const reports = await Promise.all(procs.map((p) => p.finish()));
      const instances = reports.flatMap((r) => r.instances);
      expect(instances).toHaveLength(12);
      for (const i of instances) {
        expect(i).toMatchObject({ version: 2, lost: 0, duplicated: 0, outOfOrder: 0 });
        expect(i.sent).toBeGreaterThan(0);
      }
      const audit = await store.audit(started.rollout.id);
      expect(audit.filter((e) => e.kind === 'gate-decision').map((e) => e.data['verdict'])).toEqual(['pass', 'pass', 'pass']);
    } finally {
      await store.close();
    }
  });

  it('stops a canary whose invariant breaks on live data at the first gate and reverts the instance it upgraded', async () => {
    const store = await createPostgresStore({ connectionString: url, schema: 'bad_canary' });
    try {
      // every instance is busy but p0/i0, which gets no events: the bad v2 accepts only that one
      const procs = await agents('bad_canary', 2, (i) => ({ instances: '3', lineage: 'bad', idle: 'p0/i0', busy: i === 0 ? 'p0/i1,p0/i2' : 'p1/i0,p1/i1,p1/i2' }));
      const started = await startRollout(store, { component: 'counter', from: 1, to: 2, waves: [{ count: 2 }, { share: 1 }] });
      if (!started.ok) throw new Error(started.message);
      const end = await driveRollout(store, started.rollout.id, { pollMs: 50 });
      expect(end.rollout.status).toBe('aborted');
      expect(end.waves.map((w) => [w.done, w.failed, w.cancelled])).toEqual([[1, 1, 0], [0, 0, 4]]);
      expect(end.revert).toMatchObject({ total: 1, done: 1 });
      const reports = await Promise.all(procs.map((p) => p.finish()));
      for (const i of reports.flatMap((r) => r.instances)) {
        expect(i).toMatchObject({ version: 1, lost: 0, duplicated: 0, outOfOrder: 0 });
        if (i.id !== 'p0/i0') expect(i.sent).toBeGreaterThan(5);
      }
      const gate = (await store.audit(started.rollout.id)).find((e) => e.kind === 'gate-decision')!;
      expect(gate.data).toMatchObject({ verdict: 'fail', evidence: { blockers: { 'invariant-violation': 1 } } });
    } finally {
      await store.close();
    }
  });

  it('survives SIGKILL of its controller and of agents before and during their wave: another controller resumes, and the audit log explains the end', async () => {
    const store = await createPostgresStore({ connectionString: url, schema: 'kills' });
    const sql = new pg.Pool({ connectionString: url, max: 1 });
    try {
      // p1's swaps wait 3 s on a health probe: it is killed while they are in flight
      const procs = await agents('kills', 3, (i) => ({ instances: '3', lease: '2000', ...(i === 1 ? { slow: '3000' } : {}) }));
      // the first controller is `hotswap rollout start`, a process of its own
      const controller = spawn(process.execPath, [bin, 'rollout', 'start', '--db', url, '--schema', 'kills', '--component', 'counter', '--from', '1', '--to', '2', '--waves', '1,50%,100%', '--soak', '600', '--id', 'k1', '--poll', '50'], { stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => controller.on('exit', () => resolve()));
      try {
        // kill it while wave 1's gate soaks
        await until(async () => (await store.audit('k1')).some((e) => e.kind === 'wave-settled'), 30_000);
        controller.kill('SIGKILL');
        await exited;
        // and kill agent p2 (its instances are all in the last wave) before that wave opens
        procs[2]!.kill();
        expect(['gating', 'waving']).toContain((await store.view('k1'))!.rollout.status);
      } finally {
        controller.kill('SIGKILL');
      }
      // another controller takes over from the table state; p1 dies mid-wave, its swaps claimed and in flight
      const driving = driveRollout(store, 'k1', { pollMs: 50 });
      await until(async () => (await sql.query(`SELECT count(*)::int AS n FROM kills.steps WHERE agent_id = 'p1' AND status = 'claimed'`)).rows[0].n === 2, 30_000);
      procs[1]!.kill();
      let end = await driving;
      for (let people = 0; end.rollout.status === 'paused' && people < 3; people++) {
        expect(end.rollout.reason).toMatch(/unknown: agent lost/);
        expect((await resumeRollout(store, 'k1', { expectedVersion: end.rollout.version, by: 'test' })).ok).toBe(true);
        end = await driveRollout(store, 'k1', { pollMs: 50 });
      }
      expect(end.rollout.status).toBe('completed');
      const audit = await store.audit('k1');
      const story = explain(audit);
      // p1 died with p1/i0 and p1/i1 claimed (wave 2), before p1/i2's wave; p2 before its wave: all unknown, none upgraded
      for (const id of ['p1/i0', 'p1/i1', 'p1/i2', 'p2/i0', 'p2/i1', 'p2/i2']) expect(story.get(id)).toBe('unknown');
      expect(audit.filter((e) => e.kind === 'instance-unknown' && e.data['was'] === 'claimed').map((e) => e.instance).sort()).toEqual(['p1/i0', 'p1/i1']);
      const reports = await procs[0]!.finish();
      for (const i of reports.instances) {
        expect(story.get(i.id)).toBe('upgraded');
        expect(i).toMatchObject({ version: 2, lost: 0, duplicated: 0, outOfOrder: 0 });
      }
      expect(audit.filter((e) => e.kind === 'wave-opened').map((e) => e.wave)).toEqual([0, 1, 2]);
      expect(audit.filter((e) => e.kind === 'gate-decision').map((e) => e.data['verdict'])).toEqual(['pass', 'inconclusive', 'inconclusive']);
      // `hotswap rollout status` tells the same story
      const status = await promisify(execFile)(process.execPath, [bin, 'rollout', 'status', 'k1', '--db', url, '--schema', 'kills']);
      expect(status.stdout).toMatch(/rollout k1: counter v1 → v2 — completed/);
      expect(status.stdout).toMatch(/agent p1: p1\/i0 unknown \(agent lease expired; step was claimed\)/);
      expect(status.stdout).toMatch(/agent p2: p2\/i0 unknown \(agent lease expired; step was pending\)/);
      expect(status.stdout).toMatch(/resumed by test → completed/);
    } finally {
      await sql.end();
      await store.close();
    }
  });
});

/** Per instance, what the audit log says became of it. */
function explain(audit: readonly AuditEntry[]): Map<string, 'upgraded' | 'refused' | 'unknown'> {
  const m = new Map<string, 'upgraded' | 'refused' | 'unknown'>();
  for (const e of audit) {
    if (e.instance === null) continue;
    if (e.kind === 'instance-unknown') m.set(e.instance, 'unknown');
    if (e.kind === 'instance-attempt' && e.data['kind'] === 'up') m.set(e.instance, e.data['outcome'] === 'committed' ? 'upgraded' : 'refused');
  }
  return m;
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`condition not met in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

