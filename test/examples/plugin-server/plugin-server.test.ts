import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const home = join(root, 'examples', 'plugin-server');

// run on its own, as a user would: start it, curl it, copy v2 into its plugins directory, see it swap
it('examples/plugin-server/main.ts answers HTTP requests and swaps to a plugin file copied into its directory', async () => {
  const dir = await mkdtemp(join(home, '.plugins-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/plugin-server/main.ts', '--port', '0', '--dir', dir, '--exit-after', '40'], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const seen = async (re: RegExp): Promise<RegExpExecArray> => {
    const limit = Date.now() + 30_000;
    for (;;) {
      const m = re.exec(out);
      if (m !== null) return m;
      if (Date.now() > limit) throw new Error(`no ${re} in:\n${out}\n${err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
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
    expect(out).toMatch(/^\[plugins\] loaded rate-limiter-v2\.ts: v2$/m);
    expect(out).toMatch(/^stopped; journal /m);
    expect(err).toBe('');
  } finally {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);
