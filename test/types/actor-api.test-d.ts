/**
 * Type tests for a live component's XState actor API: snapshots typed as the union of the lineage's
 * versions' snapshots, narrowable by `version`; XState's `waitFor` / `toPromise` / `Subscribable` /
 * `InteropObservable` / `AnyActorRef` accept a component; `on` is typed by what the versions emit.
 * Run by vitest's typecheck mode and compiled by `tsc -p .`. Each `@ts-expect-error` was checked by
 * removing it and watching `tsc` fail on that line.
 */
import { describe, expectTypeOf, it } from 'vitest';
import { type AnyActorRef, type InteropObservable, type Subscribable, toPromise, waitFor } from 'xstate';
import { createRuntime, type LineageSnapshot, type SnapshotOf } from '../../src/index.ts';
import { driver, type driverV1, type driverV2, driverV3 } from '../fixtures/driver.ts';
import { emitterLineage, type EmitterV1Context, type EmitterV2Context } from '../fixtures/emitter.ts';

const runtime = createRuntime();
const c = runtime.start(driver);
const e = runtime.start(emitterLineage);

describe('snapshots', () => {
  it('are the union of the versions’ snapshots, each tagged with its version', () => {
    type S = ReturnType<typeof c.getSnapshot>;
    expectTypeOf<S>().toEqualTypeOf<LineageSnapshot<typeof driver>>();
    expectTypeOf<S['version']>().toEqualTypeOf<1 | 2 | 3>();
    expectTypeOf<Extract<S, { version: 2 }>>().toEqualTypeOf<SnapshotOf<typeof driverV2> & { readonly version: 2 }>();
    expectTypeOf<S['value']>().toEqualTypeOf<'idle' | 'busy' | 'working'>();
  });

  it('narrow by version', () => {
    const s = c.getSnapshot();
    if (s.version === 1) expectTypeOf(s.context).toEqualTypeOf<{ queue: string[]; completed: number }>();
    if (s.version === 3) expectTypeOf(s.context.stats).toEqualTypeOf<{ completed: number; failed: number }>();
    expectTypeOf(s.context.queue).toEqualTypeOf<string[]>(); // a field every version has needs no narrowing
  });

  it('refuse a field no version has — the typo `any` used to let through', () => {
    // @ts-expect-error: no version of the driver has `timeotMs`
    void c.getSnapshot().context.timeotMs;
    // @ts-expect-error: only v3 has `stats`: narrow first
    void c.getSnapshot().context.stats;
  });

  it('reach subscribe and select typed', () => {
    c.subscribe((s) => expectTypeOf(s).toEqualTypeOf<LineageSnapshot<typeof driver>>());
    c.subscribe({ next: (s) => expectTypeOf(s.version).toEqualTypeOf<1 | 2 | 3>(), complete: () => undefined });
    expectTypeOf(c.select((s) => s.context.queue.length).get()).toEqualTypeOf<number>();
  });

  it('keep the untyped form for a lineage typed as any lineage', () => {
    expectTypeOf<SnapshotOf<typeof driverV1>['context']>().toEqualTypeOf<{ queue: string[]; completed: number }>();
    void driverV3;
  });
});

describe("XState's actor utilities", () => {
  it('take a live component: waitFor, toPromise, Subscribable, InteropObservable, AnyActorRef', () => {
    expectTypeOf(c).toExtend<AnyActorRef>();
    expectTypeOf(c).toExtend<Subscribable<LineageSnapshot<typeof driver>>>();
    expectTypeOf(c).toExtend<InteropObservable<LineageSnapshot<typeof driver>>>();
    const waited = waitFor(c, (s) => s.value === 'idle' && s.context.queue.length === 0);
    expectTypeOf(waited).toEqualTypeOf<Promise<LineageSnapshot<typeof driver>>>();
    expectTypeOf(toPromise(e)).resolves.toEqualTypeOf<{ total: number }>();
  });
});

describe('emitted events', () => {
  it('are typed by what the versions emit, across versions', () => {
    e.on('counted', (ev) => {
      expectTypeOf(ev.by).toEqualTypeOf<1 | 2>(); // v1's and v2's `counted`
      expectTypeOf(ev.count).toEqualTypeOf<number>();
    });
    e.on('milestone', (ev) => expectTypeOf(ev.at).toEqualTypeOf<number>());
    e.on('*', (ev) => {
      expectTypeOf(ev.type).toExtend<'counted' | 'milestone'>();
      expectTypeOf<'counted' | 'milestone'>().toExtend<typeof ev.type>();
    });
    // @ts-expect-error: no version emits `countd`
    e.on('countd', () => undefined);
    const s = e.getSnapshot();
    if (s.version === 2) expectTypeOf(s.context).toEqualTypeOf<EmitterV2Context>();
    else expectTypeOf(s.context).toEqualTypeOf<EmitterV1Context>();
  });
});
