/**
 * What only the PostgreSQL store has to prove, against a real server started for this file: the schema
 * is created and versioned by the library (concurrent creators migrate once; a newer schema is refused),
 * two controllers on separate pools racing on one rollout never double-advance, and NOTIFY wakes an
 * agent that would otherwise poll only once a minute.
 */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore, driveRollout, startRollout } from '../../src/fleet/index.ts';
import { startFleet } from './_support/fleet.ts';
import { startPostgres, type PgServer } from './_support/postgres.ts';

let server: PgServer | undefined;
let url = '';
beforeAll(async () => {
  server = await startPostgres();
  url = await server.database('fleet');
});
afterAll(async () => server?.stop());

describe('the PostgreSQL schema', () => {
  it('is created by the library at version 1, once, however many stores start at the same time', async () => {
    const stores = await Promise.all([1, 2, 3].map(() => createPostgresStore({ connectionString: url, schema: 'racing_migrations' })));
    const pool = new pg.Pool({ connectionString: url });
    try {
      const meta = await pool.query(`SELECT key, value FROM racing_migrations.meta`);
      expect(meta.rows).toEqual([{ key: 'schema_version', value: 1 }]);
      const tables = await pool.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'racing_migrations' ORDER BY 1`);
      expect(tables.rows.map((r) => r.table_name)).toEqual(['agents', 'audit', 'instances', 'meta', 'rollouts', 'steps']);
      // and takes no session-level advisory lock: nothing is left held once the stores are idle
      const locks = await pool.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'`);
      expect(locks.rows[0].n).toBe(0);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await pool.end();
    }
  });

  it('refuses a schema written by a newer hotswap, leaving it untouched', async () => {
    const store = await createPostgresStore({ connectionString: url, schema: 'from_the_future' });
    await store.close();
    const pool = new pg.Pool({ connectionString: url });
    try {
      await pool.query(`UPDATE from_the_future.meta SET value = 99`);
      await expect(createPostgresStore({ connectionString: url, schema: 'from_the_future' })).rejects.toMatchObject({ code: 'FLEET_SCHEMA_NEWER', details: { at: 99, known: 1 } });
      // a pool passed in is the caller's: the store neither ends it on refusal nor on close
      await expect(createPostgresStore({ pool, schema: 'from_the_future' })).rejects.toMatchObject({ code: 'FLEET_SCHEMA_NEWER' });
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await pool.end();
    }
  });

  it('is a typed FLEET_PG_MISSING when `pg` is not installed (it is an optional peer dependency)', async () => {
    // the store bundled without `pg`, run from a directory where `pg` cannot be resolved
    const outfile = join(await mkdtemp(join(tmpdir(), 'hotswap-nopg-')), 'nopg.mjs');
    const contents = `import { createPostgresStore } from './src/fleet/postgres-store.ts';
      try { await createPostgresStore({ connectionString: 'postgres://127.0.0.1:1/x' }); console.log('connected?'); }
      catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
    await build({ stdin: { contents, resolveDir: fileURLToPath(new URL('../../', import.meta.url)), loader: 'ts' }, outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', external: ['pg'], logLevel: 'error' });
    const { stdout } = await promisify(execFile)(process.execPath, [outfile], { cwd: tmpdir() });
    expect(JSON.parse(stdout)).toEqual({ code: 'FLEET_PG_MISSING', message: 'The PostgreSQL fleet store needs the `pg` package: run `npm install pg`' });
  });

  it('refuses a schema name it could not splice into SQL, and a call with neither or both connections', async () => {
    await expect(createPostgresStore({ connectionString: url, schema: 'x; DROP TABLE y' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(createPostgresStore({})).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('controllers on PostgreSQL', () => {
  it('two controllers on separate pools driving one rollout: one wave-opened and one gate decision per wave; a stale move gets CAS_LOST', async () => {
    const agentsStore = await createPostgresStore({ connectionString: url, schema: 'race' });
    const [c1, c2] = await Promise.all([1, 2].map(() => createPostgresStore({ connectionString: url, schema: 'race' })));
    const fleet = await startFleet(agentsStore, { agents: 3, instances: 4 });
    const sender = setInterval(() => fleet.send(), 3);
    try {
      const started = await startRollout(c1!, { component: 'counter', from: 1, to: 2, waves: [{ count: 1 }, { share: 0.25 }, { share: 0.5 }, { share: 1 }] });
      if (!started.ok) throw new Error(started.message);
      // tight polling on both, so they collide often
      const [a, b] = await Promise.all([driveRollout(c1!, started.rollout.id, { pollMs: 2 }), driveRollout(c2!, started.rollout.id, { pollMs: 2 })]);
      expect(a.rollout.status).toBe('completed');
      expect(b.rollout.status).toBe('completed');
      const audit = await agentsStore.audit(started.rollout.id);
      const kinds = (k: string) => audit.filter((e) => e.kind === k).map((e) => e.wave);
      expect(kinds('wave-opened')).toEqual([0, 1, 2, 3]);
      expect(kinds('wave-settled')).toEqual([0, 1, 2, 3]);
      expect(kinds('gate-decision')).toEqual([0, 1, 2, 3]);
      expect(a.rollout.version).toBe(1 + 8); // 4 settles + 4 decisions, each exactly once
      clearInterval(sender);
      fleet.send();
      await new Promise((r) => setTimeout(r, 20));
      expect(fleet.g1()).toEqual({ lost: 0, duplicated: 0, outOfOrder: 0 });
      expect(fleet.components.every((c) => c.version === 2)).toBe(true);
      // a stale move is refused with the state that beat it
      const stale = await c2!.move(started.rollout.id, 3, { kind: 'abort', by: 'late', reason: 'too late' });
      expect(stale).toMatchObject({ ok: false, code: 'CAS_LOST', current: { status: 'completed', version: 9 } });
    } finally {
      clearInterval(sender);
      await fleet.stop();
      await Promise.all([agentsStore, c1!, c2!].map((s) => s.close()));
    }
  });

  it('wakes agents with NOTIFY: a rollout completes long before their one-minute poll', async () => {
    const store = await createPostgresStore({ connectionString: url, schema: 'notify' });
    const { startAgent } = await import('../../src/fleet/index.ts');
    const { createRuntime } = await import('../../src/index.ts');
    const { counterLineages } = await import('./_support/counter.ts');
    const runtime = createRuntime();
    const mine = [runtime.start(counterLineages.good, { id: 'n0', version: 1 })];
    const agent = await startAgent({ store, agentId: 'sleepy', components: () => mine, pollMs: 60_000 });
    try {
      await new Promise((r) => setTimeout(r, 100)); // its first claim found nothing: it now sleeps until woken
      const started = await startRollout(store, { component: 'counter', from: 1, to: 2, waves: [{ share: 1 }] });
      if (!started.ok) throw new Error(started.message);
      const t0 = performance.now();
      const end = await driveRollout(store, started.rollout.id, { pollMs: 60_000 });
      expect(end.rollout.status).toBe('completed');
      expect(performance.now() - t0).toBeLessThan(30_000); // woken, not polled (the poll is a minute)
      expect(mine[0]!.version).toBe(2);
    } finally {
      await agent.stop();
      await runtime.stop();
      await store.close();
    }
  });
  it('listens again after its LISTEN connection is killed, so agents are still woken without their poll', async () => {
    const store = await createPostgresStore({ connectionString: url, schema: 'relisten' });
    const { startAgent } = await import('../../src/fleet/index.ts');
    const { createRuntime } = await import('../../src/index.ts');
    const { counterLineages } = await import('./_support/counter.ts');
    const runtime = createRuntime();
    const mine = [runtime.start(counterLineages.good, { id: 'r0', version: 1 })];
    const agent = await startAgent({ store, agentId: 'sleepy', components: () => mine, pollMs: 60_000 });
    const admin = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const listeners = async () => (await admin.query(`SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN "relisten_work"%'`)).rows.map((r) => r.pid as number);
      for (let i = 0; i < 100 && (await listeners()).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      const [pid] = await listeners();
      expect(pid).toBeDefined();
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      for (let i = 0; i < 200 && !(await listeners()).some((p) => p !== pid); i++) await new Promise((r) => setTimeout(r, 20));
      expect((await listeners()).filter((p) => p !== pid)).toHaveLength(1);
      const started = await startRollout(store, { component: 'counter', from: 1, to: 2, waves: [{ share: 1 }] });
      if (!started.ok) throw new Error(started.message);
      const t0 = performance.now();
      const end = await driveRollout(store, started.rollout.id, { pollMs: 60_000 });
      expect(end.rollout.status).toBe('completed');
      expect(performance.now() - t0).toBeLessThan(30_000); // woken, not polled (the poll is a minute)
      expect(mine[0]!.version).toBe(2);
    } finally {
      await admin.end();
      await agent.stop();
      await runtime.stop();
      await store.close();
    }
  });
});
