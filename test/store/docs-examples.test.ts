/**
 * The examples of docs/lineage-and-restore.md, run as written. The last test checks that every
 * code block of the doc is a verbatim copy of code in this file (imports aside).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assign, createActor, setup } from 'xstate';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEnvelope, createFileStore, defineVersion, formatBlockers, lineage, migrate, restoreFromStore } from '../../src/index.ts';
import { tempDir } from './helpers.ts';

// ── Defining a lineage ───────────────────────────────────────────────────────────
const lampV1Machine = setup({
  types: { context: {} as { watts: number }, events: {} as { type: 'TOGGLE' } },
}).createMachine({
  id: 'lamp',
  initial: 'off',
  context: { watts: 60 },
  states: { off: { on: { TOGGLE: 'on' } }, on: { on: { TOGGLE: 'off' } } },
});

// v2 renames the states and adds a dimmer.
const lampV2Machine = setup({
  types: { context: {} as { watts: number; dimmer: number }, events: {} as { type: 'TOGGLE' } | { type: 'DIM'; level: number } },
}).createMachine({
  id: 'lamp',
  initial: 'dark',
  context: { watts: 60, dimmer: 100 },
  states: {
    dark: { on: { TOGGLE: 'lit' } },
    lit: { on: { TOGGLE: 'dark', DIM: { actions: assign({ dimmer: ({ event }) => event.level }) } } },
  },
});

const lampV1 = defineVersion({ version: 1, machine: lampV1Machine });
const lampV2 = defineVersion({
  version: 2,
  machine: lampV2Machine,
  invariant: ({ context }) =>
    context.watts <= 150 ? true : [{ path: 'context.watts', message: `v2 bulbs take at most 150 W, got ${context.watts}` }],
});

const lamp = lineage('lamp', lampV1).next(lampV2, {
  up: ({ value, context }) => ({ value: value === 'on' ? ('lit' as const) : ('dark' as const), context: { ...context, dimmer: 100 } }),
  down: ({ value, context: { dimmer: _dimmer, ...context } }) => ({ value: value === 'lit' ? ('on' as const) : ('off' as const), context }),
});

function runningAMigration(): void {
  const up = migrate(lamp, { status: 'active', value: 'on', context: { watts: 40 }, children: {} }, { from: 1, to: 2 });
  if (up.ok) console.log(up.snapshot.value, up.snapshot.context);
  // → lit { watts: 40, dimmer: 100 }

  const tooBright = migrate(lamp, { status: 'active', value: 'on', context: { watts: 200 }, children: {} }, { from: 1, to: 2 });
  if (!tooBright.ok) console.log(formatBlockers(tooBright.blockers, { component: 'lamp', from: 1, to: 2, action: 'migrate' }));
  // → migrate lamp v1 → v2 refused:
  //     v2 invariant violated at 'context.watts': v2 bulbs take at most 150 W, got 200
}

async function coldRestore(dir: string): Promise<void> {
  const store = createFileStore(dir);

  // Running v1: switch the lamp on, then save it (an atomic write of `<dir>/hall-lamp.json`).
  const actor = createActor(lampV1Machine).start();
  actor.send({ type: 'TOGGLE' });
  await store.save('hall-lamp', createEnvelope({ component: 'lamp', version: 1, snapshot: actor.getPersistedSnapshot() }));
  actor.stop();

  // Later, a process that knows v2: load, verify, migrate v1 → v2, and run it.
  const restored = await restoreFromStore(store, 'hall-lamp', lamp);
  if (!restored.ok) throw new Error(`${restored.error.code}: ${restored.error.message}`);
  const hall = createActor(lamp.current.machine, { snapshot: restored.snapshot }).start();
  console.log(hall.getSnapshot().value, hall.getSnapshot().context);
  // → lit { watts: 60, dimmer: 100 }
}

// ── The tests ───────────────────────────────────────────────────────────────────
describe('docs/lineage-and-restore.md', () => {
  let printed: unknown[][];
  beforeEach(() => {
    printed = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(args));
  });
  afterEach(() => vi.restoreAllMocks());

  it('defines a two-version lineage whose types and links work both ways', () => {
    expect(lamp.versions.map((v) => v.version)).toEqual([1, 2]);
    const down = migrate(lamp, { status: 'active', value: 'lit', context: { watts: 60, dimmer: 30 }, children: {} }, { from: 2, to: 1 });
    expect(down.ok && [down.snapshot.value, down.snapshot.context]).toEqual(['on', { watts: 60 }]);
  });

  it('running a migration prints the migrated state, then the refusal', () => {
    runningAMigration();
    expect(printed).toEqual([
      ['lit', { watts: 40, dimmer: 100 }],
      ["migrate lamp v1 → v2 refused:\n  v2 invariant violated at 'context.watts': v2 bulbs take at most 150 W, got 200"],
    ]);
  });

  it('cold restore saves v1 to disk and brings it back as v2', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await coldRestore(dir);
    } finally {
      await cleanup();
    }
    expect(printed).toEqual([['lit', { watts: 60, dimmer: 100 }]]);
  });

  it('every code block in the doc is a copy of code run here', () => {
    const doc = readFileSync(fileURLToPath(new URL('../../docs/lineage-and-restore.md', import.meta.url)), 'utf8');
    const source = normalise(readFileSync(fileURLToPath(import.meta.url), 'utf8'));
    const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => normalise(m[1]!));
    expect(blocks.length).toBe(3);
    for (const block of blocks) expect(source).toContain(block);
  });
});

/** Lines without indentation, imports or blank lines: what must match between doc and test. */
function normalise(code: string): string {
  return code
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('import ') && !line.startsWith('} from '))
    .join('\n');
}
