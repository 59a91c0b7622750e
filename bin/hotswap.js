#!/usr/bin/env node
// The `hotswap` command. Users point `hotswap check` at their own lineage modules, often TypeScript, so
// tsx is registered first, always: its ESM hooks, and its CommonJS hooks too, because in a project
// without "type": "module" Node hands a .ts file to the CommonJS loader (ESM hooks alone then fail with
// ERR_REQUIRE_CYCLE_MODULE). The CLI itself runs from the compiled dist/ when there is one, and from
// src/ (through tsx) in a checkout that was never built, or when Node runs with `--conditions=source`
// (this repository's tests do, so they never run a stale dist/).
import { existsSync } from 'node:fs';
import { register as registerCommonJs } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';

registerCommonJs();
register();
const built = new URL('../dist/cli/main.js', import.meta.url);
const { main } = await import(existsSync(built) && !sourceCondition() ? built.href : '../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));

/** True when `hotswap` resolves to its TypeScript sources (the `source` export condition is on). */
function sourceCondition() {
  try {
    return import.meta.resolve('hotswap').endsWith('.ts');
  } catch {
    return false; // dist/ is not built and `source` is off: nothing resolves
  }
}
