import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const run = (args: readonly string[]): Promise<{ code: number; out: string }> =>
  new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: root, timeout: 60_000, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', FC_SEED: '20261121' } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, out: stdout + stderr });
    });
  });

it("examples/property-tests: the user's property tests pass in their own vitest run, at the fixed seed", async () => {
  const r = await run(['node_modules/vitest/vitest.mjs', 'run', '--root', 'examples/property-tests']);
  expect(r.out).toContain('totality v1 → v3: 200 runs over generated reachable states, seed 20261121');
  expect(r.out).toContain('round trip v1 ⇄ v2: 200 runs over generated reachable states, seed 20261121');
  expect(r.out).toContain('round trip v2 ⇄ v3: 200 runs over generated reachable states, seed 20261121');
  expect(r.out).toContain('equivalence v1 → v2: 200 runs over generated (state, event) pairs, seed 20261121');
  expect(r.out).toMatch(/Tests +3 passed \(3\)/);
  expect(r.code).toBe(0);
}, 70_000);

it('examples/property-tests: `hotswap check --strict` (the CI gate) passes the cart lineage, every link SAFE', async () => {
  const r = await run(['bin/hotswap.js', 'check', 'examples/property-tests/src/cart.ts', '--strict']);
  expect(r.out).toMatch(/^cart v1 → v2 +up +SAFE/m);
  expect(r.out).toContain("field 'items' is dropped, as declared in the link's `drops`");
  expect(r.out).toContain('4 links: 4 SAFE, 0 WARNING, 0 UNSAFE');
  expect(r.code).toBe(0);
}, 70_000);
