/**
 * `hotswap check <module> --plugin <file>` end to end: the real bin, as a child process. The plugin's
 * one link is checked against the module's lineage of its component, before the file is deployed.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

function hotswap(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/hotswap.js', ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' }, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

const fast = ['--runs', '40'];

describe('hotswap check --plugin (child process)', () => {
  it('checks only the link a good plugin adds, both ways, and passes', async () => {
    const r = await hotswap('check', 'test/fixtures/check/driver.ts', '--plugin', 'test/fixtures/check/plugins/driver-v4.ts', ...fast);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(
      'hotswap check test/fixtures/check/plugins/driver-v4.ts (extends test/fixtures/check/driver.ts) (seed 20261121, 40 runs, up to 20 events)',
    );
    expect(r.stdout.split('\n').filter((l) => l.startsWith('driver '))).toEqual([
      expect.stringMatching(/^driver v3 → v4 {2}up {4}SAFE /),
      expect.stringMatching(/^driver v4 → v3 {2}down {2}SAFE /),
    ]);
  });

  it('fails on a plugin whose migration leaves out a field of the new version', async () => {
    const r = await hotswap('check', 'test/fixtures/check/driver.ts', '--plugin', 'test/fixtures/check/plugins/driver-v4-lossy.ts', ...fast, '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { plugin: string; links: { from: number; to: number; verdict: string; reasons: { kind: string }[] }[] };
    expect(out.plugin).toBe('test/fixtures/check/plugins/driver-v4-lossy.ts');
    expect(out.links.map((l) => [l.from, l.to, l.verdict])).toEqual([
      [3, 4, 'UNSAFE'],
      [4, 3, 'WARNING'],
    ]);
    expect(out.links[0]!.reasons[0]!.kind).toBe('incomplete-state');
  });

  it('refuses, with exit code 2, a plugin for a component the module does not export', async () => {
    const r = await hotswap('check', 'test/fixtures/check/safe.ts', '--plugin', 'test/fixtures/check/plugins/driver-v4.ts');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^hotswap: Plugin `test\/fixtures\/check\/plugins\/driver-v4.ts` extends component `driver`, but the module exports no lineage of that name \(exported: .*\)\n$/);
  });
});
