/**
 * A throwaway PostgreSQL server for the fleet tests: `initdb` in a temp directory, `pg_ctl start` on a
 * free loopback port, stopped and deleted afterwards. No mock stands in for PostgreSQL.
 *
 * initdb and postgres refuse to run as root, and CI runs as root on a fresh machine: then the server
 * runs as the `postgres` user (created if missing) through `runuser`. The binaries are found on PATH,
 * else in Debian's /usr/lib/postgresql/<version>/bin (`.ci/run` installs the package when missing).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A running throwaway server. */
export interface PgServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly port: number;
  /** A fresh database on this server (one per test file keeps schemas apart). */
  database(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** Where initdb and pg_ctl are, or undefined when PostgreSQL is not installed. */
export function postgresBin(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) if (dir !== '' && existsSync(join(dir, 'initdb'))) return dir;
  const debian = '/usr/lib/postgresql';
  if (!existsSync(debian)) return undefined;
  const versions = readdirSync(debian).filter((v) => existsSync(join(debian, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(debian, versions[0], 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function ids(user: string): Promise<{ uid: number; gid: number }> {
  const uid = Number((await run('id', ['-u', user])).stdout.trim());
  const gid = Number((await run('id', ['-g', user])).stdout.trim());
  return { uid, gid };
}

/** Starts a server; throws with the server's log when it cannot. */
export async function startPostgres(): Promise<PgServer> {
  const bin = postgresBin();
  if (bin === undefined) throw new Error('PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin): run .ci/run, or apt-get install postgresql');
  const root = process.getuid?.() === 0;
  const dir = await mkdtemp(join(tmpdir(), 'hotswap-pg-'));
  const data = join(dir, 'data');
  let as: (cmd: string, args: string[]) => [string, string[]] = (cmd, args) => [cmd, args];
  if (root) {
    await run('id', ['-u', 'postgres']).catch(() => run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']));
    const { uid, gid } = await ids('postgres');
    await chown(dir, uid, gid);
    as = (cmd, args) => ['runuser', ['-u', 'postgres', '--', cmd, ...args]];
  }
  const exec = (cmd: string, args: string[]) => {
    const [c, a] = as(join(bin, cmd), args);
    return run(c, a, { cwd: dir, env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' } });
  };
  await exec('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const port = await freePort();
  const opts = `-p ${port} -h 127.0.0.1 -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  try {
    await exec('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-o', opts, '-w', '-t', '30', 'start']);
  } catch (error) {
    const log = await run('cat', [join(dir, 'log')]).then((r) => r.stdout, () => '');
    await rm(dir, { recursive: true, force: true });
    throw new Error(`pg_ctl start failed: ${String(error)}\n${log}`);
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    async database(name) {
      const pg = (await import('pg')).default;
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`CREATE DATABASE "${name}"`);
      await c.end();
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
