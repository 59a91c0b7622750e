/**
 * `hotswap rollout start|resume --check <module>`: imports the module a person points the CLI at and
 * finds the gate check in it, so the health evidence a caller writes (an error-rate query, a probe of
 * their own service) gates a rollout driven from the command line as it does one driven from code
 * (`driveRollout(store, id, { check })`). Loaded the way `hotswap check` loads a lineage module
 * (src/cli/load.ts): a missing file, an import that throws, and an export that is not a function are each
 * one typed error, before the rollout is touched. Tests: test/cli/rollout-check.test.ts.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HotswapError, describeError, shown } from '../errors.ts';
import type { GateCheck } from '../fleet/rules.ts';

/** The export names looked for, in this order. */
export const GATE_CHECK_EXPORTS = ['gateCheck', 'default'] as const;

/**
 * Imports `specifier` (a file path relative to `cwd`) and returns its gate check: the export `gateCheck`,
 * else the default export. Throws a {@link HotswapError}: `CHECK_MODULE_NOT_FOUND`, `CHECK_MODULE_FAILED`
 * (importing it, or reading the export, threw) or `GATE_CHECK_INVALID` (no such export, or not a function).
 */
export async function loadGateCheck(specifier: string, cwd: string): Promise<GateCheck> {
  const path = resolve(cwd, specifier);
  const details = { module: specifier, path };
  if (!existsSync(path)) throw new HotswapError('CHECK_MODULE_NOT_FOUND', `Cannot find gate check module \`${specifier}\` (looked for ${path})`, { details });
  let ns: Record<string, unknown>;
  try {
    ns = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    const e = describeError(error);
    throw new HotswapError('CHECK_MODULE_FAILED', `Importing gate check module \`${specifier}\` threw ${e.name}: ${e.message}`, { cause: error, details });
  }
  for (const name of GATE_CHECK_EXPORTS) {
    let value: unknown;
    try {
      value = ns[name]; // user code: a getter may throw when merely looked at
    } catch (error) {
      const e = describeError(error);
      throw new HotswapError('CHECK_MODULE_FAILED', `Reading export \`${name}\` of \`${specifier}\` threw ${e.name}: ${e.message}`, { cause: error, details: { ...details, export: name } });
    }
    if (value === undefined) continue;
    if (typeof value !== 'function') {
      throw new HotswapError('GATE_CHECK_INVALID', `Expected export \`${name}\` of \`${specifier}\` to be a gate check function (({ rollout, evidence }) => 'pass' | 'fail' | 'inconclusive'), got ${shown(value)}`, {
        details: { ...details, export: name },
      });
    }
    return value as GateCheck;
  }
  throw new HotswapError('GATE_CHECK_INVALID', `\`${specifier}\` exports no gate check (expected \`export function gateCheck({ rollout, evidence })\` or a default export function; exported: ${Object.keys(ns).join(', ') || 'nothing'})`, { details });
}
