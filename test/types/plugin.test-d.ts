/**
 * Type tests for `definePlugin`: a plugin written in TypeScript against the previous version is checked
 * by the compiler. Each `@ts-expect-error` was checked by removing it and watching `tsc` fail there.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { AnyVersion, MigrationOutput, StateOf, VersionPlugin } from '../../src/index.ts';
import { definePlugin, type Plugin } from '../../src/plugin/index.ts';
import { counterV1, counterV2, type CounterContext } from '../fixtures/counter.ts';

describe('the types of a plugin', () => {
  it('gives link.up the previous version’s state and link.down the new one’s', () => {
    const p = definePlugin({
      component: 'counter',
      from: counterV1,
      version: counterV2,
      link: {
        up: (state) => {
          expectTypeOf(state).toEqualTypeOf<StateOf<typeof counterV1>>();
          expectTypeOf(state.context).toEqualTypeOf<CounterContext>();
          return { value: state.value, context: { ...state.context, v: 2 } };
        },
        down: (state) => {
          expectTypeOf(state).toEqualTypeOf<StateOf<typeof counterV2>>();
          return { value: state.value, context: { ...state.context, v: 1 } };
        },
      },
    });
    expectTypeOf(p).toEqualTypeOf<Plugin<'counter', typeof counterV1, typeof counterV2>>();
    expectTypeOf(p.component).toEqualTypeOf<'counter'>();
    expectTypeOf(p.version).toEqualTypeOf<typeof counterV2>();
    expectTypeOf<ReturnType<typeof p.link.up>>().toEqualTypeOf<MigrationOutput<typeof counterV2>>();
    // a plugin is what `lineage.extend` and `tryExtend` take
    expectTypeOf(p).toMatchTypeOf<VersionPlugin>();
  });

  it('rejects a migration that forgets a field of the new version', () => {
    definePlugin({
      component: 'counter',
      from: counterV1,
      version: counterV2,
      // @ts-expect-error `seen` and `by` are missing from the new context
      link: { up: ({ value, context }) => ({ value, context: { v: context.v } }) },
    });
  });

  it('rejects a migration that returns a field of the wrong type', () => {
    definePlugin({
      component: 'counter',
      from: counterV1,
      version: counterV2,
      // @ts-expect-error `v` must be a number
      link: { up: ({ value, context }) => ({ value, context: { ...context, v: 'two' } }) },
    });
  });

  it('rejects a state value the new machine does not have', () => {
    definePlugin({
      component: 'counter',
      from: counterV1,
      version: counterV2,
      // @ts-expect-error 'paused' is not a state of counter v2
      link: { up: ({ context }) => ({ value: 'paused' as const, context }) },
    });
  });

  it('requires a link with `up`, and a component name', () => {
    // @ts-expect-error `up` is required
    definePlugin({ component: 'counter', from: counterV1, version: counterV2, link: { down: (s) => s } });
    // @ts-expect-error `component` is required
    definePlugin({ from: counterV1, version: counterV2, link: { up: (s) => ({ ...s, context: { ...s.context, v: 2 } }) } });
  });

  it('leaves the link untyped when `from` is only a number (plugins built from JavaScript)', () => {
    const p = definePlugin({ component: 'counter', from: 1, version: counterV2, link: { up: (s) => s } });
    expectTypeOf(p.link.up).parameter(0).toEqualTypeOf<StateOf<AnyVersion>>();
  });
});
