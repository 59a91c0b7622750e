/**
 * The plan phase: which target a swap goes to, and the caller's preconditions, checked before anything
 * pauses. (More plan refusals — unknown and same versions, a second concurrent swap — are in
 * policies.test.ts, `describe('plan')`.)
 */
import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { createRuntime, defineVersion, lineage, ManualClock } from '../../src/index.ts';
import { driver } from '../fixtures/driver.ts';
import { makeLoader } from '../fixtures/loader.ts';

const same = { up: ({ value, context }: { value: any; context: any }) => ({ value, context }) };

// Provenance: second review of the coordinator.
describe('the target version', () => {
  it('refuses a version object that is not this lineage’s version of that number', async () => {
    const { loader } = makeLoader();
    const other = makeLoader();
    const c = createRuntime().start(loader, { version: 1 });
    const report = await c.swap(other.v2);
    expect(report.outcome).toBe('refused');
    expect(report.blockers[0]!.message).toContain("is not v2 of lineage 'loader'");
    expect((await c.swap(loader.versions[1])).outcome).toBe('committed');
  });
});

describe('preconditions', () => {
  // Provenance: first review of the coordinator.
  it('a precondition that rejects leaves no timer behind', async () => {
    const clock = new ManualClock();
    const c = createRuntime({ clock }).start(driver, { version: 1 });
    const before = clock.pending;
    const report = await c.swap(2, { preconditions: { nope: () => Promise.reject(new Error('nope')) } });
    expect(report.blockers.map((b) => b.message)).toEqual(["precondition 'nope' failed: threw nope"]);
    expect(clock.pending).toBe(before);
  });

  // Provenance: third review.
  it('`preconditions: null` (a plain-JS caller) means none', async () => {
    const machine = (v: number) => setup({}).createMachine({ id: `s${v}`, initial: 'a', states: { a: {} } });
    const simple = lineage('s', defineVersion({ version: 1, machine: machine(1) })).next(defineVersion({ version: 2, machine: machine(2) }), same);
    const c = createRuntime().start(simple, { version: 1 });
    expect((await c.swap(2, { preconditions: null } as never)).outcome).toBe('committed');
  });
});
