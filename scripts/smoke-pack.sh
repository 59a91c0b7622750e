#!/usr/bin/env bash
# Packaging smoke test: pack this repository, install the tarball into a fresh project outside it, and
# use it the way a user does: plain `node` on an .mjs file (no tsx, no TypeScript), then `npx hotswap`,
# then a strict `tsc` over a .ts consumer against the published .d.ts files.
# Needs the npm registry (xstate, fast-check, typescript, @types/node), so `npm test` does not run it.
#
#   scripts/smoke-pack.sh [dir]     dir defaults to /tmp/consumer and is emptied first
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-/tmp/consumer}"
case "$(realpath -m "$dir")/" in "$repo"/*) echo "smoke-pack: $dir is inside the repository; use a directory outside it" >&2; exit 2 ;; esac
rm -rf "$dir"
mkdir -p "$dir"

echo "== npm pack (runs prepare: npm run build)"
tarball="$(cd "$repo" && npm pack --silent --pack-destination "$dir" | tail -n 1)"
tar -tzf "$dir/$tarball" | grep -c '^package/dist/.*\.js$' | xargs echo "   $tarball: dist .js files:"

cd "$dir"
npm init -y >/dev/null
echo "== npm install $tarball xstate fast-check (+ typescript @types/node for the types check)"
npm install --no-audit --no-fund --loglevel=error "./$tarball" xstate fast-check
npm install --no-audit --no-fund --loglevel=error --save-dev typescript@~5.9 @types/node@20
npm ls --depth=0 xstate fast-check hotswap

cat > smoke.mjs <<'JS'
// A user's script: plain Node ESM, the published package, no loader.
import fc from 'fast-check';
import { assign, setup } from 'xstate';
import { createRuntime, defineVersion, formatReport, lineage } from 'hotswap';
import { totalityProperty } from 'hotswap/testing';

const counterV1 = setup({
  types: { context: {}, events: {} },
}).createMachine({
  id: 'counter',
  context: { count: 0 },
  initial: 'counting',
  states: { counting: { on: { INC: { actions: assign({ count: ({ context }) => context.count + 1 }) } } } },
});
const counterV2 = setup({
  types: { context: {}, events: {} },
}).createMachine({
  id: 'counter',
  context: { count: 0, step: 10 },
  initial: 'counting',
  states: { counting: { on: { INC: { actions: assign({ count: ({ context }) => context.count + context.step }) } } } },
});

const counter = lineage('counter', defineVersion({ version: 1, machine: counterV1 })).next(
  defineVersion({ version: 2, machine: counterV2 }),
  { up: ({ value, context }) => ({ value, context: { ...context, step: 10 } }) },
);

fc.assert(totalityProperty(counter, { from: 1, to: 2 }), { seed: 1, numRuns: 50 });
console.log('totality v1 → v2: 50 runs passed');

const runtime = createRuntime();
const component = runtime.start(counter, { version: 1 });
component.send({ type: 'INC' });
component.send({ type: 'INC' });
const report = await component.swap(2);
component.send({ type: 'INC' });
console.log(formatReport(report));
console.log(`outcome ${report.outcome}; now v${component.version}; context ${JSON.stringify(component.getSnapshot().context)}`);
if (report.outcome !== 'committed' || component.getSnapshot().context.count !== 12) process.exit(1);
JS

cat > consumer.ts <<'TS'
// The published types, under the strict settings users have (skipLibCheck off).
import { createRuntime, defineVersion, lineage, type SwapReport } from 'hotswap';
import { totalityProperty } from 'hotswap/testing';
import { setup } from 'xstate';

const machine = setup({ types: { context: {} as { n: number } } }).createMachine({ context: { n: 0 } });
const l = lineage('n', defineVersion({ version: 1, machine }));
const report: Promise<SwapReport> = createRuntime().start(l, { version: 1 }).swap(1);
export { report, totalityProperty };
TS
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "module": "nodenext", "target": "es2022", "strict": true, "noEmit": true, "skipLibCheck": false, "types": ["node"] }, "files": ["consumer.ts"] }
JSON

echo "== node smoke.mjs"
node smoke.mjs
echo "== npx hotswap --help"
npx --no-install hotswap --help
echo "== npx hotswap check lineage.ts (a user's TypeScript module, loaded through tsx)"
cat > lineage.ts <<'TS'
import { assign, setup } from 'xstate';
import { defineVersion, lineage } from 'hotswap';

const v1 = setup({ types: { context: {} as { count: number }, events: {} as { type: 'INC' } } }).createMachine({
  context: { count: 0 },
  on: { INC: { actions: assign({ count: ({ context }) => context.count + 1 }) } },
});
const v2 = setup({ types: { context: {} as { count: number; step: number }, events: {} as { type: 'INC' } } }).createMachine({
  context: { count: 0, step: 10 },
  on: { INC: { actions: assign({ count: ({ context }) => context.count + context.step }) } },
});
export const counter = lineage('counter', defineVersion({ version: 1, machine: v1 })).next(defineVersion({ version: 2, machine: v2 }), {
  up: ({ value, context }) => ({ value, context: { ...context, step: 10 } }),
  down: ({ value, context: { step: _step, ...context } }) => ({ value, context }),
});
TS
npx --no-install hotswap check lineage.ts --runs 40
echo "== tsc -p . (strict, skipLibCheck: false)"
npx --no-install tsc -p .
echo "== smoke-pack: ok"
