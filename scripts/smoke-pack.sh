#!/usr/bin/env bash
# Packaging smoke test: pack this repository, check the tarball offline (scripts/check-pack.sh: the
# published manifest, publint, attw), then install it twice outside the repository, the way users do:
#   1. runtime only (`npm install hotswap --omit=dev`, no optional peers): what a server carries, its
#      size, a live swap in plain `node`, a `.js` plugin loaded and a `.ts` one refused naming tsx, and
#      `hotswap check` saying it needs fast-check;
#   2. with the optional peers a project's dev tools add (fast-check, tsx): the kit's properties, a swap,
#      `npx hotswap check` on a TypeScript module, and a strict `tsc` over the published .d.ts.
# Needs the npm registry (xstate, fast-check, tsx, typescript, @types/node), so `npm test` does not run it.
#
#   scripts/smoke-pack.sh [dir]     dir defaults to /tmp/consumer and is emptied first
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-/tmp/consumer}"
case "$(realpath -m "$dir")/" in "$repo"/*) echo "smoke-pack: $dir is inside the repository; use a directory outside it" >&2; exit 2 ;; esac
rm -rf "$dir"
mkdir -p "$dir/runtime"

echo "== npm pack (prepack: build, strip the manifest)"
tarball="$(cd "$repo" && npm pack --silent --pack-destination "$dir" | tail -n 1)"
tar -tzf "$dir/$tarball" | grep -c '^package/dist/.*\.js$' | xargs echo "   $tarball: dist .js files:"
bash "$repo/scripts/check-pack.sh" "$dir/$tarball"

echo "== runtime only: npm install $tarball --omit=dev"
cd "$dir/runtime"
npm init -y >/dev/null
npm pkg set type=module >/dev/null
npm install --no-audit --no-fund --loglevel=error --omit=dev "../$tarball"
echo "   installed: $(ls node_modules | tr '\n' ' ')"
echo "   node_modules: $(du -sh node_modules | cut -f1)"
mkdir -p plugins
cat > plugins/counter-v2.js <<'JS'
import { assign, setup } from 'xstate';
import { defineVersion } from 'hotswap';
import { definePlugin } from 'hotswap/plugin';
const machine = setup({}).createMachine({
  id: 'counter', context: { count: 0, step: 10 }, initial: 'counting',
  states: { counting: { on: { INC: { actions: assign({ count: ({ context }) => context.count + context.step }) } } } },
});
export default definePlugin({ component: 'counter', from: 1, version: defineVersion({ version: 2, machine }),
  link: { up: ({ value, context }) => ({ value, context: { ...context, step: 10 } }) } });
JS
sed 's/version: 2/version: 2 as const/' plugins/counter-v2.js > plugins/counter-v2-ts.ts
cat > server.mjs <<'JS'
// A server: the runtime and a plugin, nothing from the dev tools.
import { assign, setup } from 'xstate';
import { createRuntime, defineVersion, lineage } from 'hotswap';
import { loadPlugin } from 'hotswap/plugin';
const v1 = setup({}).createMachine({
  id: 'counter', context: { count: 0 }, initial: 'counting',
  states: { counting: { on: { INC: { actions: assign({ count: ({ context }) => context.count + 1 }) } } } },
});
const counter = lineage('counter', defineVersion({ version: 1, machine: v1 }));
const roots = [new URL('./plugins/', import.meta.url).pathname];
const ts = await loadPlugin('plugins/counter-v2-ts.ts', { roots, lineage: counter });
console.log(`.ts plugin without tsx: ${ts.ok ? 'loaded?!' : `${ts.refusal.code}: ${ts.refusal.message}`}`);
if (ts.ok || !/needs the package `tsx`/.test(ts.refusal.message)) process.exit(1);
const js = await loadPlugin('plugins/counter-v2.js', { roots, lineage: counter });
if (!js.ok) { console.log(js.refusal.message); process.exit(1); }
const c = createRuntime().start(js.lineage, { version: 1 });
c.send({ type: 'INC' });
const report = await c.swap(2);
c.send({ type: 'INC' });
console.log(`.js plugin: swap ${report.outcome}; now v${c.version}; context ${JSON.stringify(c.getSnapshot().context)}`);
if (report.outcome !== 'committed' || c.getSnapshot().context.count !== 11) process.exit(1);
JS
node server.mjs
echo "== runtime only: npx hotswap check (needs the optional fast-check)"
if npx --no-install hotswap check server.mjs 2> check.err; then echo "expected a refusal" >&2; exit 1; fi
cat check.err
grep -q 'needs the package `fast-check`' check.err

cd "$dir"
npm init -y >/dev/null
echo "== with the dev tools' optional peers: npm install $tarball xstate; -D fast-check tsx (+ typescript @types/node)"
npm install --no-audit --no-fund --loglevel=error "./$tarball" xstate
npm install --no-audit --no-fund --loglevel=error --save-dev fast-check tsx typescript@~5.9 @types/node@20
npm ls --depth=0 xstate fast-check tsx hotswap

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
echo "== npx hotswap check lineage.ts (a user's TypeScript module, loaded through the optional tsx)"
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
