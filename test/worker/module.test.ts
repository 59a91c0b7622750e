import { describe, expect, it } from 'vitest';
import { resolveHostedLineage } from '../../src/worker/index.ts';
import { counter1, counter2, counterV2, v1to2 } from '../fixtures/worker/counter.ts';

describe('the hosted-module contract', () => {
  it('takes the lineage from `lineage`, or else from `default`', () => {
    const named = resolveHostedLineage({ lineage: counter2 }, 'counter');
    const byDefault = resolveHostedLineage({ default: counter1 }, 'counter');
    expect(named.ok && named.lineage).toBe(counter2);
    expect(byDefault.ok && byDefault.lineage).toBe(counter1);
  });

  it('extends the exported lineage with a default-exported plugin', () => {
    const r = resolveHostedLineage({ lineage: counter1, default: { kind: 'hotswap.plugin/1', component: 'counter', from: 1, version: counterV2, link: v1to2 } }, 'counter');
    expect(r.ok && r.lineage.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(r.ok && r.plugin).toEqual({ from: 1, version: 2 });
  });

  it('refuses a module without a lineage, a lineage of another component, and a plugin that does not fit', () => {
    const none = resolveHostedLineage({ machine: {} }, 'counter');
    const other = resolveHostedLineage({ lineage: counter1 }, 'driver');
    const misfit = resolveHostedLineage({ lineage: counter2, default: { kind: 'hotswap.plugin/1', from: 1, version: counterV2, link: v1to2 } }, 'counter');
    const wrongPlugin = resolveHostedLineage({ lineage: counter1, default: { kind: 'hotswap.plugin/1', component: 'driver', from: 1, version: counterV2, link: v1to2 } }, 'counter');
    expect(none).toMatchObject({ ok: false, error: { code: 'missing-export', message: expect.stringContaining('exports: machine') } });
    expect(other).toMatchObject({ ok: false, error: { code: 'wrong-component', details: { expected: 'driver', got: 'counter' }, message: expect.stringContaining('`driver`, got `counter`') } });
    expect(misfit).toMatchObject({ ok: false, error: { code: 'misfit-version', message: expect.stringContaining('does not extend') } });
    expect(wrongPlugin).toMatchObject({ ok: false, error: { code: 'wrong-component', message: expect.stringContaining('plugin of component `counter`, got `driver`') } });
  });
});
