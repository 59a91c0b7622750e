/**
 * Type tests for the result-first naming scheme: `ok` is the discriminant of every result, and the
 * fields of each branch exist only once it is narrowed. Run by vitest's typecheck mode and compiled
 * by `tsc -p .`; each `@ts-expect-error` below was checked by removing it and watching `tsc` fail.
 */
import { describe, expectTypeOf, it } from 'vitest';
import {
  type Blocker,
  type Envelope,
  type ErrorData,
  type ExtendResult,
  type LiveComponent,
  type PersistResult,
  type StartResult,
  type SwapAllReport,
  type SwapReport,
  type VerifyResult,
  createRuntime,
  verifySnapshot,
} from '../../src/index.ts';
import { driver, driverV3 } from '../fixtures/driver.ts';

describe('the result types', () => {
  it('tryStart narrows on ok to a component typed by the lineage, or to error and blockers', () => {
    const r = createRuntime().tryStart(driver);
    // @ts-expect-error — the component exists only on the ok branch
    void r.component;
    if (r.ok) {
      expectTypeOf(r.component).toMatchTypeOf<LiveComponent<any>>();
      expectTypeOf(r.component.send).parameter(0).toMatchTypeOf<{ type: string }>();
      // @ts-expect-error — an event the lineage does not know is a compile error
      r.component.send({ type: 'NOT_AN_EVENT' });
    } else {
      expectTypeOf(r.error).toEqualTypeOf<ErrorData>();
      expectTypeOf(r.blockers).toEqualTypeOf<readonly Blocker[]>();
    }
    expectTypeOf<StartResult>().toHaveProperty('ok').toEqualTypeOf<boolean>();
  });

  it('tryPersist, tryExtend and verifySnapshot carry their payload on ok and their refusal otherwise', () => {
    const c = createRuntime().start(driver);
    const p: PersistResult = c.tryPersist();
    if (p.ok) expectTypeOf(p.envelope).toEqualTypeOf<Envelope>();
    else expectTypeOf(p.error).toEqualTypeOf<ErrorData>();
    const e: ExtendResult<'driver'> = driver.tryExtend({});
    if (e.ok) expectTypeOf(e.lineage.name).toEqualTypeOf<'driver'>();
    // @ts-expect-error — the lineage exists only on the ok branch
    void e.lineage;
    const v: VerifyResult = verifySnapshot(driverV3, { status: 'active', value: 'idle', context: {}, children: {} });
    if (!v.ok) expectTypeOf(v.blockers).toEqualTypeOf<readonly Blocker[]>();
    // @ts-expect-error — no blockers on the ok branch
    if (v.ok) void v.blockers;
  });

  it('reports carry ok beside the descriptive outcome; send stays void and trySend is its result form', () => {
    expectTypeOf<SwapReport['ok']>().toEqualTypeOf<boolean>();
    expectTypeOf<SwapAllReport['ok']>().toEqualTypeOf<boolean>();
    expectTypeOf<SwapReport['outcome']>().toEqualTypeOf<'committed' | 'refused'>();
    const c = createRuntime().start(driver);
    expectTypeOf(c.send).returns.toEqualTypeOf<void>();
    expectTypeOf(c.trySend).returns.toEqualTypeOf<{ ok: true } | { ok: false; error: ErrorData }>();
  });
});
