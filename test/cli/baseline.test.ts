/**
 * `hotswap check --baseline` / `--write-baseline` end to end: the real bin, as a child process. A team
 * writes a baseline, a reviewer notes why each finding is fine, the gate then passes, and a finding the
 * baseline does not list fails it again.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'hotswap-baseline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function hotswap(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/hotswap.js', ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' }, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

const module = 'test/fixtures/check/dropped-field.ts';
const fast = ['--runs', '40'];

describe('hotswap check with a baseline (child process)', () => {
  it('writes the findings, refuses them unnoted, accepts them noted, and fails again on a finding it does not list', async () => {
    const file = join(dir, 'baseline.json');
    const written = await hotswap('check', module, ...fast, '--write-baseline', file);
    expect(written.stderr).toBe('');
    expect(written.code).toBe(0);
    expect(written.stdout).toBe(`wrote 7 baseline entries to ${file}; 7 need a note (why is the finding accepted?) before \`--baseline ${file}\` accepts them\n`);
    const entries = (JSON.parse(readFileSync(file, 'utf8')) as { accepted: { component: string; kind: string; subject?: string; note: string }[] }).accepted;
    expect(entries.find((e) => e.component === 'profile' && e.kind === 'data-loss')).toEqual({ component: 'profile', from: 1, to: 2, kind: 'data-loss', subject: 'note', note: '' });

    const unnoted = await hotswap('check', module, ...fast, '--baseline', file);
    expect(unnoted.code).toBe(2);
    expect(unnoted.stderr).toMatch(/^hotswap: Baseline `.*baseline.json` entry 1 \(declared v1 → v2 field-dropped 'note'\) has no note: say why this finding is accepted\n$/);

    // The reviewer's pass: every entry gets its reason.
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll('"note": ""', '"note": "reviewed: notes moved to the notes service"'));
    const accepted = await hotswap('check', module, ...fast, '--baseline', file, '--strict');
    expect(accepted.stderr).toBe('');
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toMatch(
      /^ {4}accepted {3}0 {2}data-loss {6}field 'note' is dropped — .* — baseline: reviewed: notes moved to the notes service$/m,
    );
    expect(accepted.stdout).toMatch(/^profile v1 → v2 {3}up {4}SAFE {5}risk 0 /m);
    expect(accepted.stdout).toContain('highest risk 0; 7 accepted by the baseline\n');

    // The profile's data loss is no longer accepted: it is a new finding and fails the gate; the entry
    // for a field that no longer exists is reported as stale.
    const base = JSON.parse(readFileSync(file, 'utf8')) as { accepted: { component: string; kind: string; subject?: string }[] };
    base.accepted = base.accepted.map((e) => (e.component === 'profile' && e.kind === 'data-loss' ? { ...e, subject: 'email' } : e));
    writeFileSync(file, JSON.stringify(base));
    const json = await hotswap('check', module, ...fast, '--baseline', file, '--json');
    expect(json.code).toBe(1);
    const out = JSON.parse(json.stdout) as { baseline: unknown; gate: { failures: string[] } };
    expect(out.gate.failures).toEqual(['profile v1 → v2 is UNSAFE']);
    expect(out.baseline).toEqual({ file, entries: 7, accepted: 6, stale: ["profile v1 → v2 data-loss 'email'"] });
  });

  it('refuses a missing baseline file before checking, and --note without --write-baseline', async () => {
    const missing = await hotswap('check', module, '--baseline', join(dir, 'nope.json'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^hotswap: Cannot read baseline `.*nope.json`: ENOENT/);
    const note = await hotswap('check', module, '--note', 'x');
    expect(note.code).toBe(2);
    expect(note.stderr).toContain('hotswap: Expected `--note` only with `--write-baseline <file>`');
  });
});
