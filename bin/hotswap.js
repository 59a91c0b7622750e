#!/usr/bin/env node
// The `hotswap` command. Users point `hotswap check` at their own lineage modules, often TypeScript, so
// tsx is registered first when it is installed (an optional peer dependency: a server that never runs
// the command does not carry it): its ESM hooks, and its CommonJS hooks too, because in a project
// without "type": "module" Node hands a .ts file to the CommonJS loader (ESM hooks alone then fail with
// ERR_REQUIRE_CYCLE_MODULE). Without tsx, .js modules work and a .ts one is refused naming tsx.
// The CLI itself runs from the compiled dist/ when there is one, and from src/ (through tsx) in a
// checkout that was never built, or when Node runs with `--conditions=source` (this repository's
// tests do, so they never run a stale dist/). `hotswap check` samples states with fast-check, another
// optional peer: without it the command says so.
import { existsSync } from 'node:fs';

const tsx = await optional(() => Promise.all([import('tsx/cjs/api'), import('tsx/esm/api')]));
if (tsx !== undefined) {
  tsx[0].register();
  tsx[1].register();
}
const built = new URL('../dist/cli/main.js', import.meta.url);
const fromSource = !existsSync(built) || sourceCondition();
if (fromSource && tsx === undefined) fail('running hotswap from its TypeScript sources needs the package `tsx`: npm install --save-dev tsx');
const cli = await optional(() => import(fromSource ? '../src/cli/main.ts' : built.href), 'fast-check');
if (cli === undefined) fail('`hotswap check` needs the package `fast-check` (an optional peer dependency of hotswap): npm install --save-dev fast-check');
process.exitCode = await cli.main(process.argv.slice(2));

/** True when `hotswap` resolves to its TypeScript sources (the `source` export condition is on). */
function sourceCondition() {
  try {
    return import.meta.resolve('hotswap').endsWith('.ts');
  } catch {
    return false; // dist/ is not built and `source` is off: nothing resolves
  }
}

/** What `load` resolves to, or undefined when the package it imports (`name`, or any) is not installed. */
async function optional(load, name) {
  try {
    return await load();
  } catch (error) {
    const missing = error?.code === 'ERR_MODULE_NOT_FOUND' && (name === undefined || String(error.message).includes(`'${name}'`));
    if (missing) return undefined;
    throw error;
  }
}

function fail(message) {
  process.stderr.write(`hotswap: ${message}\n`);
  process.exit(2);
}
