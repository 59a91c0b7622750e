import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const home = join(root, 'examples', 'plugin-server');

/** Starts main.ts as a child process with `args`; `seen` waits for a line of its output. */
function start(args: readonly string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/plugin-server/main.ts', ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
  const io = { out: '', err: '' };
  child.stdout.setEncoding('utf8').on('data', (d: string) => (io.out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (io.err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const seen = async (re: RegExp, ms = 30_000): Promise<RegExpExecArray> => {
    const limit = Date.now() + ms;
    for (;;) {
      const m = re.exec(io.out);
      if (m !== null) return m;
      if (Date.now() > limit) throw new Error(`no ${re} in:\n${io.out}\n${io.err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { child, io, exited, seen };
}

// run on its own, as a user would: start it, curl it, copy v2 into its plugins directory, see it swap
it('examples/plugin-server/main.ts answers HTTP requests and swaps to a plugin file copied into its directory', async () => {
  const dir = await mkdtemp(join(home, '.plugins-'));
  const { child, io, exited, seen } = start(['--port', '0', '--dir', dir, '--exit-after', '40']);
  try {
    const url = (await seen(/^plugin server on (http:\/\/127\.0\.0\.1:\d+) \(rate limiter v1 in a worker\)$/m))[1]!;
    const hit = async (client: string): Promise<{ status: number; body: { seq: number; admitted: boolean; version: number } }> => {
      const res = await fetch(`${url}/hit?client=${client}`);
      return { status: res.status, body: (await res.json()) as { seq: number; admitted: boolean; version: number } };
    };
    expect(await hit('me')).toEqual({ status: 200, body: { seq: 1, admitted: true, version: 1 } });
    await copyFile(join(home, 'plugins', 'rate-limiter-v2.ts'), join(dir, 'rate-limiter-v2.ts'));
    await seen(/^\[plugins\] swapped v1 → v2 \(pause [\d.]+ ms, \d+ requests held\)$/m);
    expect(await hit('me')).toEqual({ status: 200, body: { seq: 2, admitted: true, version: 2 } });
    const stats = (await (await fetch(`${url}/stats`)).json()) as Record<string, number>;
    expect(stats).toMatchObject({ version: 2, processed: 2, admitted: 2, throttled: 0, gaps: 0, dupes: 0 });
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(io.out).toMatch(/^\[plugins\] loaded rate-limiter-v2\.ts: v2$/m);
    expect(io.out).toMatch(/^stopped; journal /m);
    expect(io.err).toBe('');
  } finally {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);

// with --probation-ms, a version that passes every swap check but throttles everything is rolled back
it('examples/plugin-server/main.ts --probation-ms rolls back a committed version its health check fails, every request answered and counted once', async () => {
  const dir = await mkdtemp(join(home, '.plugins-'));
  const { child, io, exited, seen } = start(['--port', '0', '--dir', dir, '--probation-ms', '20000', '--exit-after', '50']);
  try {
    const url = (await seen(/^plugin server on (http:\/\/127\.0\.0\.1:\d+) \(rate limiter v1 in a worker, every swap on probation for 20000 ms\)$/m))[1]!;
    const statuses = new Map<number, number>();
    const hit = async (): Promise<void> => {
      const res = await fetch(`${url}/hit?client=me`);
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    };
    await hit();
    // the flawed v4 re-exports v1 → v2 → v3 from ../plugins/: one swap v1 → v4
    await copyFile(join(home, 'flawed', 'rate-limiter-v4.ts'), join(dir, 'rate-limiter-v4.ts'));
    await seen(/^\[plugins\] swapped v1 → v4 /m);
    // v4 admits what v1 left in the bucket, then nothing after its first refill: the health check fails it
    for (const limit = Date.now() + 20_000; !/rolled back/.test(io.out) && Date.now() < limit; ) await hit();
    const m = await seen(/^\[plugins\] rolled back v4 → v1: health: v4 answered its last (\d+) requests with 429, admitting none through 2 refills of every bucket; (\d+) requests redelivered$/m, 5_000);
    expect(Number(m[1])).toBeGreaterThanOrEqual(20);
    expect(Number(m[2])).toBeGreaterThanOrEqual(Number(m[1]));
    await hit(); // v1 serves again
    const sent = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect([...statuses.keys()].sort()).toEqual([200, 429]); // no 500, no 503
    const stats = (await (await fetch(`${url}/stats`)).json()) as Record<string, number>;
    expect(stats).toMatchObject({ version: 1, processed: sent, gaps: 0, dupes: 0 });
    expect(stats['admitted']! + stats['throttled']!).toBe(sent);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(io.out).not.toMatch(/permanent/);
    expect(io.err).toBe('');
  } finally {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);
