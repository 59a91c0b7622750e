/**
 * Type tests for typed lineages: run by vitest's typecheck mode and compiled by `tsc -p .`.
 * Each `@ts-expect-error` below was checked by removing it and watching `tsc` fail on that line.
 */
import { describe, expectTypeOf, it } from 'vitest';
import {
  type ContextOf,
  type Link,
  type MigrationOutput,
  type StateOf,
  type StateValueOf,
  lineage,
} from '../../src/index.ts';
import { driverV1, driverV2, driverV3 } from '../fixtures/driver.ts';

type V1Context = { queue: string[]; completed: number };
type V2Context = { queue: string[]; completed: number; retries: number };

describe('the types of a lineage', () => {
  it('derives context and state value from each version’s machine', () => {
    expectTypeOf<ContextOf<typeof driverV1>>().toEqualTypeOf<V1Context>();
    expectTypeOf<StateValueOf<typeof driverV1>>().toEqualTypeOf<'idle' | 'busy'>();
    expectTypeOf<StateValueOf<typeof driverV2>>().toEqualTypeOf<'idle' | 'working'>();
    expectTypeOf<ContextOf<typeof driverV3>>().toEqualTypeOf<{ queue: string[]; stats: { completed: number; failed: number }; retries: number }>();
  });

  it('gives `up` the previous version’s context and state value, and `down` the next one’s', () => {
    expectTypeOf<Parameters<Link<typeof driverV1, typeof driverV2>['up']>[0]>().toEqualTypeOf<StateOf<typeof driverV1>>();
    expectTypeOf<ReturnType<Link<typeof driverV1, typeof driverV2>['up']>>().toEqualTypeOf<MigrationOutput<typeof driverV2>>();
    expectTypeOf<NonNullable<Link<typeof driverV1, typeof driverV2>['down']>>().parameter(0).toEqualTypeOf<StateOf<typeof driverV2>>();

    lineage('driver', driverV1).next(driverV2, {
      up: (state) => {
        expectTypeOf(state.context).toEqualTypeOf<V1Context>();
        expectTypeOf(state.value).toEqualTypeOf<'idle' | 'busy'>();
        return { value: state.value === 'busy' ? ('working' as const) : ('idle' as const), context: { ...state.context, retries: 0 } };
      },
      down: (state) => {
        expectTypeOf(state.context).toEqualTypeOf<V2Context>();
        expectTypeOf(state.value).toEqualTypeOf<'idle' | 'working'>();
        return { value: state.value === 'working' ? ('busy' as const) : ('idle' as const), context: { queue: state.context.queue, completed: state.context.completed } };
      },
    });
  });

  it('types the link of each `.next` from the lineage’s current version', () => {
    lineage('driver', driverV1)
      .next(driverV2, { up: ({ context }) => ({ value: 'idle' as const, context: { ...context, retries: 0 } }) })
      .next(driverV3, {
        up: ({ value, context }) => {
          expectTypeOf(context).toEqualTypeOf<V2Context>();
          expectTypeOf(value).toEqualTypeOf<'idle' | 'working'>();
          return { value, context: { queue: context.queue, retries: context.retries, stats: { completed: context.completed, failed: 0 } } };
        },
      });
  });

  it('rejects a missing link', () => {
    // @ts-expect-error -- `.next` needs the migration link from v1 to v2
    lineage('driver', driverV1).next(driverV2);
  });

  it('rejects `up` returning the wrong context shape', () => {
    // @ts-expect-error -- v2's context needs `retries`
    lineage('driver', driverV1).next(driverV2, { up: ({ context }) => ({ value: 'idle' as const, context }) });
    lineage('driver', driverV1).next(driverV2, {
      // @ts-expect-error -- `retries` is a number in v2
      up: ({ context }) => ({ value: 'idle' as const, context: { ...context, retries: 'none' } }),
    });
  });

  it('rejects `up` returning a state value the next machine does not have', () => {
    // @ts-expect-error -- v2 renamed `busy` to `working`: `busy` is not a v2 state value
    lineage('driver', driverV1).next(driverV2, { up: ({ context }) => ({ value: 'busy' as const, context: { ...context, retries: 0 } }) });
    // Passing the v1 value straight through is caught too: it may be `busy`.
    // @ts-expect-error -- `'idle' | 'busy'` is not assignable to `'idle' | 'working'`
    lineage('driver', driverV1).next(driverV2, { up: ({ value, context }) => ({ value, context: { ...context, retries: 0 } }) });
  });

  it('rejects `down` returning the wrong type', () => {
    lineage('driver', driverV1).next(driverV2, {
      up: ({ context }) => ({ value: 'idle' as const, context: { ...context, retries: 0 } }),
      // @ts-expect-error -- v1's context needs `completed`, which this `down` forgot
      down: ({ value, context: { queue } }) => ({ value: value === 'working' ? ('busy' as const) : value, context: { queue } }),
    });
    lineage('driver', driverV1).next(driverV2, {
      up: ({ context }) => ({ value: 'idle' as const, context: { ...context, retries: 0 } }),
      // @ts-expect-error -- `working` is not a v1 state
      down: ({ value, context: { retries: _r, ...context } }) => ({ value, context }),
    });
  });
});
