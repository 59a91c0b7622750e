/**
 * `hotswap check` end to end: the real bin, as a child process, from the project root.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function hotswap(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/hotswap.js', ...args],
      { cwd: root, env: { ...process.env, NO_COLOR: '1' }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const fixture = (name: string): string => `test/fixtures/check/${name}.ts`;
const fast = ['--runs', '60'];

describe('hotswap check (child process)', () => {
  it('prints one line per link and reason, a summary, and exits 0 on a WARNING-only lineage', async () => {
    const r = await hotswap('check', fixture('driver'), ...fast);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('hotswap check test/fixtures/check/driver.ts (seed 20261121, 60 runs, up to 20 events)');
    expect(lines.filter((l) => l.startsWith('driver '))).toEqual([
      expect.stringMatching(/^driver v1 → v2 {2}up {4}SAFE {5}risk {2}0 {2}\d+\/\d+ states migrated$/),
      expect.stringMatching(/^driver v2 → v1 {2}down {2}SAFE {5}risk {2}0 /),
      expect.stringMatching(/^driver v2 → v3 {2}up {4}SAFE {5}risk {2}0 /),
      'driver v3 → v2  down  WARNING  risk 30',
    ]);
    expect(r.stdout).toContain(
      '    warning  +30  irreversible     no down migration: v3 cannot be rolled back to v2 (add `down` to the link to make it reversible)',
    );
    expect(r.stdout).toContain('4 links: 3 SAFE, 1 WARNING, 0 UNSAFE; highest risk 30\n');
    expect(r.stdout).not.toContain('fail:');
  });

  it('checks a machine that keeps the event in its context with the default bare events', async () => {
    const r = await hotswap('check', fixture('stores-event'), ...fast);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^echo v1 → v2 {2}up {4}SAFE /m);
    expect(r.stdout).toContain('2 links: 2 SAFE, 0 WARNING, 0 UNSAFE');
  });

  it('fails on WARNING with --strict, and over a --budget', async () => {
    const strict = await hotswap('check', fixture('driver'), ...fast, '--strict');
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('fail: driver v3 → v2 is WARNING (--strict)');
    const budget = await hotswap('check', fixture('driver'), ...fast, '--budget', '25');
    expect(budget.code).toBe(1);
    expect(budget.stdout).toContain('fail: driver v3 → v2 risk 30 exceeds the budget of 25');
    expect((await hotswap('check', fixture('driver'), ...fast, '--budget', '30')).code).toBe(0);
  });

  it('exits 1 on UNSAFE and names the reason with an example', async () => {
    const r = await hotswap('check', fixture('removed-state'), ...fast);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^player v1 → v2 {2}up {4}UNSAFE {3}risk 60 {2}2\/3 states migrated$/m);
    expect(r.stdout).toContain("    unsafe   +60  unmapped-state    state 'paused' does not exist in v2 — 1 of 3 states, e.g. after PLAY, PAUSE");
    expect(r.stdout).toContain('fail: player v1 → v2 is UNSAFE');
  });

  it('exits 0 with --strict on a lineage that is SAFE everywhere', async () => {
    const r = await hotswap('check', fixture('safe'), ...fast, '--strict');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 links: 2 SAFE, 0 WARNING, 0 UNSAFE; highest risk 0');
  });

  it('prints a parseable --json report with stable keys', async () => {
    const r = await hotswap('check', fixture('dropped-field'), ...fast, '--json', '--budget', '40');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Record<string, any>;
    expect(Object.keys(report)).toEqual(['module', 'settings', 'links', 'summary', 'gate']);
    expect(report['settings']).toEqual({ runs: 60, seed: 20261121, maxEvents: 20 });
    const profile = report['links'].find((l: any) => l.component === 'profile' && l.direction === 'up');
    expect(Object.keys(profile)).toEqual(['component', 'from', 'to', 'direction', 'verdict', 'risk', 'samples', 'reasons']);
    expect(profile).toMatchObject({ from: 1, to: 2, verdict: 'UNSAFE', risk: 50 });
    expect(profile.reasons[0]).toMatchObject({ kind: 'data-loss', severity: 'unsafe', score: 50, example: ['NOTE{"text":"hi"}'] });
    expect(report['summary']).toEqual({ links: 6, safe: 1, warning: 4, unsafe: 1, maxRisk: 50 });
    expect(report['gate']).toEqual({
      strict: false,
      budget: 40,
      passed: false,
      failures: ['profile v1 → v2 is UNSAFE', 'profile v1 → v2 risk 50 exceeds the budget of 40'],
    });
  });

  it('gives the same output twice for the same --seed and --runs, and different evidence for another seed', async () => {
    const a = await hotswap('check', fixture('driver'), '--runs', '40', '--seed', '5');
    const b = await hotswap('check', fixture('driver'), '--runs', '40', '--seed', '5');
    expect(b.stdout).toBe(a.stdout);
    const c = await hotswap('check', fixture('driver'), '--runs', '40', '--seed', '6');
    expect(c.stdout).not.toBe(a.stdout);
  });

  it('prints a warning line for hotswapCheck.events keys that name no exported component or version', async () => {
    const r = await hotswap('check', fixture('misnamed-events'), ...fast);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      '\nwarning: hotswapCheck.events.countr names no exported component (exported: counter); its events are unused\n' +
        'warning: hotswapCheck.events.counter.7 names no version of counter (versions: 1, 2); its events are unused\n',
    );
    const json = await hotswap('check', fixture('misnamed-events'), ...fast, '--json');
    expect(JSON.parse(json.stdout).warnings).toHaveLength(2);
  });

  it('finds lineages inside a default export object', async () => {
    const r = await hotswap('check', fixture('default-export'), ...fast);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^counter v/gm)).toHaveLength(2);
  });

  it.each<[string, string, RegExp, ...string[]]>([
    ['a missing module', 'test/fixtures/check/nope.ts', /^hotswap: Cannot find module `test\/fixtures\/check\/nope.ts` \(looked for .*nope\.ts\)\n$/],
    ['a module exporting no lineage', fixture('no-lineage'), /^hotswap: `test\/fixtures\/check\/no-lineage.ts` exports no lineage/],
    ['a module that throws on import', fixture('throws-on-import'), /^hotswap: Importing `test\/fixtures\/check\/throws-on-import.ts` threw Error: lineage module exploded on import\n$/],
    ['a lineage whose machine cannot start', fixture('broken-machine'), /^hotswap: Could not start broken@1's machine: Error: cannot build the initial context\n$/],
    ['a single-version lineage whose machine cannot start', fixture('single-broken'), /^hotswap: Could not start lonely@1's machine: Error: cannot build the initial context\n$/],
    ['an exported Proxy that throws when read', fixture('hostile-export'), /^hotswap: Reading export `trap` of `test\/fixtures\/check\/hostile-export.ts` threw Error: trap: do not touch\n$/],
    ['a default export with a getter that throws', fixture('hostile-default'), /^hotswap: Reading `default.explosive` of `test\/fixtures\/check\/hostile-default.ts` threw Error: getter: do not touch\n$/],
    ['a seed outside the 32-bit range', fixture('safe'), /^hotswap: Expected `--seed` to be an integer from -2147483648 to 2147483647, got `4294967297`\n/, '--seed', '4294967297'],
  ])('exits 2 with a clear message on %s', async (_what, module, message, ...extra) => {
    const r = await hotswap('check', module, ...extra);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });

  it('exits 2 on bad usage and prints help on --help', async () => {
    const bad = await hotswap('check', fixture('safe'), '--runs', 'many');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('hotswap: Expected `--runs` to be a positive integer, got `many`\nRun `hotswap --help` for usage.\n');
    const help = await hotswap('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: hotswap check <module> \[options\]/);
  });
});
