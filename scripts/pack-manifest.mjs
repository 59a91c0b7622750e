#!/usr/bin/env node
// The published manifest is this repository's package.json less what only the repository needs:
//   - the `source` export condition: this repository's tsc, Vitest and tsx turn it on to run src/; in a
//     consumer that turns on a condition of that name (customConditions: ["source"]), it would make tsc
//     type-check hotswap's src/ under the consumer's settings, and `node --conditions=source` fail on .ts;
//   - the `prepare` script (npm 11 warns about it in an installed package) and the scripts that run the
//     repository's own tests, benchmarks and demo;
//   - devDependencies.
// `npm pack` / `npm publish` run `prepack` (build, then `strip`: package.json is rewritten, the original
// kept beside it) and `postpack` (`restore`). A run that died between the two is repaired by the next
// `strip` or `restore`, which restore first. `check <package.json>` exits 1 if a manifest still holds
// what must not ship (scripts/check-pack.sh runs it on the packed tarball).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const manifest = fileURLToPath(new URL('../package.json', import.meta.url));
const saved = `${manifest}.repo`;
/** Scripts a published package keeps: none of the repository's are meant for consumers. */
const keepScripts = [];

const [command, file] = process.argv.slice(2);
switch (command) {
  case 'strip': {
    restore();
    const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
    writeFileSync(saved, readFileSync(manifest));
    writeFileSync(manifest, `${JSON.stringify(published(pkg), null, 2)}\n`);
    break;
  }
  case 'restore':
    restore();
    break;
  case 'check': {
    const problems = problemsOf(JSON.parse(readFileSync(file ?? manifest, 'utf8')));
    for (const p of problems) process.stderr.write(`pack-manifest: ${p}\n`);
    process.exit(problems.length === 0 ? 0 : 1);
    break;
  }
  default:
    process.stderr.write('usage: pack-manifest.mjs strip | restore | check [package.json]\n');
    process.exit(2);
}

function restore() {
  if (existsSync(saved)) renameSync(saved, manifest);
}

/** The manifest as published. */
function published(pkg) {
  const out = { ...pkg, exports: withoutSource(pkg.exports) };
  const scripts = Object.fromEntries(Object.entries(pkg.scripts ?? {}).filter(([name]) => keepScripts.includes(name)));
  if (Object.keys(scripts).length === 0) delete out.scripts;
  else out.scripts = scripts;
  delete out.devDependencies;
  return out;
}

/** `exports` with every `source` condition removed, at any depth. */
function withoutSource(node) {
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).filter(([key]) => key !== 'source').map(([key, value]) => [key, withoutSource(value)]));
}

/** What a published manifest must not hold. */
function problemsOf(pkg) {
  const problems = [];
  if (JSON.stringify(pkg.exports ?? {}).includes('"source"')) problems.push('`exports` still has a `source` condition');
  if (pkg.scripts?.prepare !== undefined) problems.push('`scripts.prepare` is still there');
  if (pkg.devDependencies !== undefined) problems.push('`devDependencies` is still there');
  return problems;
}
