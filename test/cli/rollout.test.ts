/**
 * `hotswap rollout`: argument parsing, and the commands end to end against a real PostgreSQL server
 * with in-process agents — the live display on a pipe, `--json`, the story `status` prints, and the
 * exit codes (0 completed, 1 aborted, 2 unusable, 3 paused).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli/main.ts';
import { parseRolloutArgs, parseWaves } from '../../src/cli/rollout-args.ts';
import { createPostgresStore } from '../../src/fleet/index.ts';
import { startFleet } from '../fleet/_support/fleet.ts';
import { startPostgres, type PgServer } from '../fleet/_support/postgres.ts';

function io(env: Record<string, string> = {}): Io & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) }, cwd: process.cwd(), env, out: () => out, err: () => err };
}

describe('hotswap rollout arguments', () => {
  it('reads waves as counts, shares and processes', () => {
    expect(parseWaves('1,10%,p2,100%')).toEqual([{ count: 1 }, { share: 0.1 }, { processes: 2 }, { share: 1 }]);
    expect(() => parseWaves('1,ten')).toThrow(/`--waves`.*`ten`/);
  });

  it('takes the database from --db, else $HOTSWAP_FLEET_DB, else $DATABASE_URL, and refuses to guess one', () => {
    expect(parseRolloutArgs(['status'], { DATABASE_URL: 'postgres://d' })).toMatchObject({ db: 'postgres://d' });
    expect(parseRolloutArgs(['status'], { DATABASE_URL: 'postgres://d', HOTSWAP_FLEET_DB: 'postgres://h' })).toMatchObject({ db: 'postgres://h' });
    expect(() => parseRolloutArgs(['status'], {})).toThrow(/Expected a database/);
  });

  it('refuses bad usage with INVALID_ARGUMENT: exit 2 and a pointer to --help', async () => {
    const i = io({ DATABASE_URL: 'postgres://x' });
    expect(await main(['rollout', 'launch'], i)).toBe(2);
    expect(i.err()).toMatch(/Expected a rollout command \(start, status, resume, abort\), got `launch`\nRun `hotswap rollout --help`/);
    const j = io({ DATABASE_URL: 'postgres://x' });
    expect(await main(['rollout', 'start', '--component', 'c', '--from', '1'], j)).toBe(2);
    expect(j.err()).toMatch(/Expected `--to`/);
    const k = io({ DATABASE_URL: 'postgres://x' });
    expect(await main(['rollout', 'abort'], k)).toBe(2);
    expect(k.err()).toMatch(/Expected a rollout id/);
    const h = io();
    expect(await main(['rollout', '--help'], h)).toBe(0);
    expect(h.out()).toMatch(/^Usage: hotswap rollout <command>/);
  });
});

describe('hotswap rollout on PostgreSQL', () => {
  let server: PgServer | undefined;
  let db = '';
  beforeAll(async () => {
    server = await startPostgres();
    db = await server.database('cli');
  });
  afterAll(async () => server?.stop());

  it('starts and drives a rollout to completion with a line per change, then status tells its story', async () => {
    const store = await createPostgresStore({ connectionString: db, schema: 'cli_a' });
    const fleet = await startFleet(store, { agents: 2, instances: 3 });
    try {
      const run = io();
      const code = await main(['rollout', 'start', '--db', db, '--schema', 'cli_a', '--component', 'counter', '--from', '1', '--to', '2', '--waves', '1,50%,100%', '--id', 'cli-1', '--by', 'ci', '--poll', '20'], run);
      expect(run.err()).toBe('');
      expect(code).toBe(0);
      const out = run.out();
      expect(out).toMatch(/^started rollout cli-1\n/);
      // a line per change: which intermediate counts show depends on timing, the shape and the milestones do not
      const lines = out.split('\n').filter((l) => /^(waving|gating|completed) wave/.test(l));
      for (const l of lines) expect(l).toMatch(/^(waving|gating|completed) wave [1-3]\/3: \d done, 0 failed, 0 unknown, \d pending$/);
      expect(lines).toContain('gating wave 1/3: 1 done, 0 failed, 0 unknown, 0 pending');
      expect(lines).toContain('gating wave 2/3: 2 done, 0 failed, 0 unknown, 0 pending');
      expect(lines.at(-1)).toBe('completed wave 3/3: 3 done, 0 failed, 0 unknown, 0 pending');
      expect(out).toMatch(/rollout cli-1: counter v1 → v2 — completed, version 7\n/);
      expect(out).toMatch(/ {2}gate 3 passed: 3 done, 0 failed, 0 unknown\n/);
      expect(out).toMatch(/wave 3 → 100 % +\s+3 inst\.: 3 done, 0 failed, 0 unknown, 0 pending {2}gate: pass — 3 done, 0 failed, 0 unknown, failure rate 0 %/);
      const status = io();
      expect(await main(['rollout', 'status', 'cli-1', '--db', db, '--schema', 'cli_a'], status)).toBe(0);
      expect(status.out()).toMatch(/story:\n\+0\.000s +started by ci: counter v1 → v2, waves of 1 \/ 2 \/ 3 instance\(s\)/);
      expect(status.out()).toMatch(/wave 1 gate pass: 1 done, 0 failed, 0 unknown, failure rate 0 % → waving/);
      expect(status.out()).toMatch(/completed\n$/);
      const json = io();
      expect(await main(['rollout', 'status', 'cli-1', '--db', db, '--schema', 'cli_a', '--json'], json)).toBe(0);
      const parsed = JSON.parse(json.out());
      expect(parsed.rollout).toMatchObject({ id: 'cli-1', status: 'completed' });
      expect(parsed.audit.filter((e: { kind: string }) => e.kind === 'instance-attempt')).toHaveLength(6);
      const list = io();
      expect(await main(['rollout', 'status', '--db', db, '--schema', 'cli_a'], list)).toBe(0);
      expect(list.out()).toMatch(/^cli-1 {2}counter v1 → v2 {2}completed {2}wave 3\/3/);
    } finally {
      await fleet.stop();
      await store.close();
    }
  });

  it('exits 3 when the rollout pauses for a person, 1 when they abort it, and 2 for a rollout that does not exist', async () => {
    const store = await createPostgresStore({ connectionString: db, schema: 'cli_b' });
    const fleet = await startFleet(store, { agents: 2, instances: 1, leaseMs: 1000 });
    try {
      await fleet.agents[1]!.stop(); // its lease runs out during the rollout: unknown → paused
      const start = io();
      expect(await main(['rollout', 'start', '--db', db, '--schema', 'cli_b', '--component', 'counter', '--from', '1', '--to', '2', '--waves', '100%', '--id', 'cli-2', '--poll', '20', '--json'], start)).toBe(3);
      expect(JSON.parse(start.out())).toMatchObject({ rollout: { status: 'paused' }, waves: [{ done: 1, unknown: 1 }] });
      const abort = io();
      expect(await main(['rollout', 'abort', 'cli-2', '--db', db, '--schema', 'cli_b', '--reason', 'agent lost', '--by', 'ops', '--poll', '20'], abort)).toBe(1);
      expect(abort.out()).toMatch(/aborted by ops: agent lost/);
      expect(fleet.components.map((c) => c.version)).toEqual([1, 1]);
      const resume = io();
      expect(await main(['rollout', 'resume', 'nope', '--db', db, '--schema', 'cli_b'], resume)).toBe(2);
      expect(resume.err()).toBe('hotswap: no rollout nope\n');
    } finally {
      await fleet.stop();
      await store.close();
    }
  });
});
