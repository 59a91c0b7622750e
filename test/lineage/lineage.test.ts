import { setup } from 'xstate';
import { describe, expect, it } from 'vitest';
import { type ErrorCode, defineVersion, isHotswapError, isLineage, isVersion, lineage, pathBetween } from '../../src/index.ts';
import { driver, driverV1, driverV2, driverV3 } from '../fixtures/driver.ts';

/** The `code` of the HotswapError `fn` throws (fails the test when it does not throw one). */
function codeOf(fn: () => unknown): ErrorCode {
  try {
    fn();
  } catch (error) {
    if (isHotswapError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a HotswapError');
}

const toggle = setup({ types: { context: {} as { on: boolean } } }).createMachine({ id: 't', initial: 'a', context: { on: false }, states: { a: {} } });

describe('defineVersion', () => {
  it('freezes a version tagged as such, keeping its definition', () => {
    const v = defineVersion({ version: 1, machine: toggle, description: 'first' });
    expect(isVersion(v)).toBe(true);
    expect(Object.isFrozen(v)).toBe(true);
    expect(v).toMatchObject({ kind: 'hotswap.version', version: 1, machine: toggle, description: 'first' });
  });

  it('refuses a non-positive or fractional version number, a non-machine, and a non-Standard schema with LINEAGE_INVALID_VERSION', () => {
    expect(codeOf(() => defineVersion({ version: 0, machine: toggle }))).toBe('LINEAGE_INVALID_VERSION');
    expect(codeOf(() => defineVersion({ version: 1.5, machine: toggle }))).toBe('LINEAGE_INVALID_VERSION');
    expect(codeOf(() => defineVersion({ version: 1, machine: { id: 't' } as never }))).toBe('LINEAGE_INVALID_VERSION');
    expect(codeOf(() => defineVersion({ version: 1, machine: toggle, schema: { parse: () => true } as never }))).toBe('LINEAGE_INVALID_VERSION');
  });
});

describe('lineage', () => {
  it('orders versions, knows the current one and the link out of each', () => {
    expect(isLineage(driver)).toBe(true);
    expect(driver.name).toBe('driver');
    expect(driver.versions).toEqual([driverV1, driverV2, driverV3]);
    expect(driver.current).toBe(driverV3);
    expect(driver.get(2)).toBe(driverV2);
    expect(driver.get(4)).toBeUndefined();
    expect(driver.linkFrom(1)?.description).toBe('rename busy → working; add retries');
    expect(driver.linkFrom(3)).toBeUndefined();
  });

  it('plans up and down paths step by step, and none to an unknown version', () => {
    expect(pathBetween(driver, 1, 3)?.map((s) => [s.from.version, s.to.version, s.direction, typeof s.run])).toEqual([
      [1, 2, 'up', 'function'],
      [2, 3, 'up', 'function'],
    ]);
    expect(pathBetween(driver, 3, 1)?.map((s) => [s.from.version, s.to.version, s.direction, typeof s.run])).toEqual([
      [3, 2, 'down', 'undefined'],
      [2, 1, 'down', 'function'],
    ]);
    expect(pathBetween(driver, 2, 2)).toEqual([]);
    expect(pathBetween(driver, 1, 4)).toBeUndefined();
  });

  it('refuses a version out of order with LINEAGE_VERSION_ORDER', () => {
    const up = () => ({ value: 'idle' as const, context: { queue: [], stats: { completed: 0, failed: 0 }, retries: 0 } });
    expect(codeOf(() => lineage('driver', driverV1).next(driverV3, { up }))).toBe('LINEAGE_VERSION_ORDER');
    expect(codeOf(() => lineage('driver', driverV2).next(driverV1 as never, { up: up as never }))).toBe('LINEAGE_VERSION_ORDER');
  });

  it('refuses a missing link, a link without `up`, or a non-function `down` with LINEAGE_MISSING_LINK', () => {
    const start = lineage('driver', driverV1);
    expect(codeOf(() => start.next(driverV2, undefined as never))).toBe('LINEAGE_MISSING_LINK');
    expect(codeOf(() => start.next(driverV2, {} as never))).toBe('LINEAGE_MISSING_LINK');
    expect(codeOf(() => start.next(driverV2, { up: (s) => ({ ...s, value: 'idle' as const, context: { ...s.context, retries: 0 } }), down: 'x' as never }))).toBe(
      'LINEAGE_MISSING_LINK',
    );
  });

  it('refuses something that is not a version with LINEAGE_INVALID_VERSION, and an empty name with INVALID_ARGUMENT', () => {
    expect(codeOf(() => lineage('driver', { version: 1, machine: toggle } as never))).toBe('LINEAGE_INVALID_VERSION');
    expect(codeOf(() => lineage('driver', driverV1).next({ version: 2 } as never, { up: () => ({}) } as never))).toBe('LINEAGE_INVALID_VERSION');
    expect(codeOf(() => lineage('', driverV1))).toBe('INVALID_ARGUMENT');
  });

  it('is immutable: next returns a new lineage and leaves the old one as it was', () => {
    const one = lineage('driver', driverV1);
    const two = one.next(driverV2, driver.linkFrom(1)!);
    expect(one.versions).toHaveLength(1);
    expect(two.versions).toHaveLength(2);
    expect(Object.isFrozen(two)).toBe(true);
  });
});
