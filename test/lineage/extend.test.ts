import { describe, expect, it } from 'vitest';
import { type ErrorData, isHotswapError, migrate, tryExtend } from '../../src/index.ts';
import { driver, driverV2 } from '../fixtures/driver.ts';
import { driverV4, plugin } from './plugin-v4.ts';

const errorOf = (r: ReturnType<typeof tryExtend>): ErrorData => {
  if (r.ok) throw new Error('expected tryExtend to refuse');
  return r.error;
};

describe('extending a lineage at run time', () => {
  it('appends a v4 plugin: v4 becomes current and v1 → v4 migrates through all three links', () => {
    const extended = driver.extend(plugin);
    expect(extended.current).toBe(driverV4);
    expect(extended.versions.map((v) => v.version)).toEqual([1, 2, 3, 4]);
    const r = migrate(extended, { status: 'active', value: 'busy', context: { queue: ['a'], completed: 4 }, children: {} }, { from: 1, to: 4 });
    expect(r.ok && [r.snapshot.value, r.snapshot.context]).toEqual([
      'working',
      { queue: ['a'], retries: 0, stats: { completed: 4, failed: 0, cancelled: 0 } },
    ]);
    const down = migrate(extended, { status: 'active', value: 'paused', context: { queue: [], retries: 1, stats: { completed: 1, failed: 0, cancelled: 2 } }, children: {} }, { from: 4, to: 3 });
    expect(down.ok && [down.snapshot.value, down.snapshot.context]).toEqual(['idle', { queue: [], retries: 1, stats: { completed: 1, failed: 0 } }]);
  });

  it('leaves the original lineage unchanged', () => {
    driver.extend(plugin);
    expect(driver.current.version).toBe(3);
    expect(driver.get(4)).toBeUndefined();
  });

  it('tryExtend returns the extended lineage as data', () => {
    const r = tryExtend(driver, plugin);
    expect(r.ok && r.lineage.current.version).toBe(4);
  });

  it('refuses a plugin whose `from` is not the current version with LINEAGE_VERSION_ORDER', () => {
    expect(errorOf(tryExtend(driver, { ...plugin, from: 2 }))).toMatchObject({
      code: 'LINEAGE_VERSION_ORDER',
      message: "Plugin migrates from driver@2, but the lineage's current version is driver@3",
      details: { component: 'driver', from: 2, current: 3 },
    });
    expect(errorOf(tryExtend(driver.extend(plugin), plugin)).code).toBe('LINEAGE_VERSION_ORDER');
  });

  it('refuses a plugin that carries the wrong version number with LINEAGE_VERSION_ORDER', () => {
    expect(errorOf(tryExtend(driver, { ...plugin, version: driverV2 }))).toMatchObject({
      code: 'LINEAGE_VERSION_ORDER',
      details: { expected: 4, got: 2 },
    });
  });

  it('refuses a plugin without a link, or whose link has no `up`, with LINEAGE_MISSING_LINK', () => {
    const { link: _link, ...noLink } = plugin;
    expect(errorOf(tryExtend(driver, noLink)).code).toBe('LINEAGE_MISSING_LINK');
    expect(errorOf(tryExtend(driver, { ...plugin, link: { down: plugin.link.down } })).code).toBe('LINEAGE_MISSING_LINK');
    expect(errorOf(tryExtend(driver, { ...plugin, link: { up: plugin.link.up, down: 'nope' } })).code).toBe('LINEAGE_MISSING_LINK');
  });

  it('refuses a plugin whose version was not built by defineVersion with LINEAGE_INVALID_VERSION, and a non-object with INVALID_ARGUMENT', () => {
    expect(errorOf(tryExtend(driver, { ...plugin, version: { version: 4, machine: driverV4.machine } })).code).toBe('LINEAGE_INVALID_VERSION');
    expect(errorOf(tryExtend(driver, 'driver-v4.js')).code).toBe('INVALID_ARGUMENT');
  });

  it('extend throws the same refusal as a HotswapError', () => {
    let thrown: unknown;
    try {
      driver.extend({ ...plugin, from: 1 });
    } catch (error) {
      thrown = error;
    }
    expect(isHotswapError(thrown, 'LINEAGE_VERSION_ORDER')).toBe(true);
  });
});

describe('lineage.tryExtend, the result form of extend', () => {
  it('returns the extended lineage as data and leaves the original unchanged', () => {
    const r = driver.tryExtend(plugin);
    expect(r.ok && r.lineage.current).toBe(driverV4);
    expect(driver.current.version).toBe(3);
  });

  it('returns the very error extend throws, as data: code, message and details', () => {
    const misfit = { ...plugin, from: 2 };
    let thrown: unknown;
    try {
      driver.extend(misfit);
    } catch (error) {
      thrown = error;
    }
    expect(isHotswapError(thrown)).toBe(true);
    const r = driver.tryExtend(misfit);
    expect(r).toEqual({ ok: false, error: (thrown as { toJSON(): ErrorData }).toJSON() });
    expect(r.ok || r.error.code).toBe('LINEAGE_VERSION_ORDER');
  });

  it('never throws: a non-object, and a plugin whose getter throws, are INVALID_ARGUMENT results', () => {
    expect(driver.tryExtend(null)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    const hostile = Object.defineProperty({}, 'from', { get: () => { throw new Error('trap'); } });
    expect(driver.tryExtend(hostile)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('threw Error: trap') } });
  });

  it('the deprecated free tryExtend returns what the method returns', () => {
    expect(tryExtend(driver, { ...plugin, from: 2 })).toEqual(driver.tryExtend({ ...plugin, from: 2 }));
    const r = tryExtend(driver, plugin);
    expect(r.ok && r.lineage.versions.map((v) => v.version)).toEqual([1, 2, 3, 4]);
  });
});
