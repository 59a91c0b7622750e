/**
 * Type tests for a version's `schema` and `shape`: run by vitest's typecheck mode and compiled by
 * `tsc -p .`. Each `@ts-expect-error` below was checked by removing it and watching `tsc` fail on that line.
 */
import { describe, expectTypeOf, it } from 'vitest';
import { setup } from 'xstate';
import { z } from 'zod';
import { type ContextShape, type VersionDefinition, defineVersion } from '../../src/index.ts';

type Ctx = { a: number; b: number; stats: { done: number }; tags: string[]; user: { name: string } | null };

const machine = setup({ types: { context: {} as Ctx } }).createMachine({
  id: 'm',
  initial: 's',
  context: { a: 0, b: 0, stats: { done: 0 }, tags: [], user: null },
  states: { s: {} },
});

const ctxSchema = z.object({
  a: z.number(),
  b: z.number().default(7),
  stats: z.object({ done: z.number() }),
  tags: z.array(z.string()),
  user: z.object({ name: z.string() }).nullable(),
});

describe('the type of a version’s schema', () => {
  it('is a Standard Schema whose output is the machine’s context', () => {
    expectTypeOf<NonNullable<VersionDefinition<typeof machine, 1>['schema']>['~standard']['types']>().toEqualTypeOf<
      { readonly input: unknown; readonly output: Ctx } | undefined
    >();
  });

  it('accepts a schema for the context (its input may be looser: `.default`)', () => {
    defineVersion({ version: 1, machine, schema: ctxSchema });
  });

  it('rejects a schema for another shape', () => {
    // @ts-expect-error -- the schema's output has no `b`, `stats`, …: not this machine's context
    defineVersion({ version: 1, machine, schema: z.object({ a: z.number() }) });
    // @ts-expect-error -- `a` is a string in the schema, a number in the context
    defineVersion({ version: 1, machine, schema: ctxSchema.extend({ a: z.string() }) });
  });
});

describe('the type of a version’s shape', () => {
  it('names keys of the context, nested where the member is an object', () => {
    defineVersion({ version: 1, machine, shape: { a: true, stats: { done: true }, tags: true, user: { name: true } } });
    expectTypeOf<ContextShape<{ n: number }>>().toEqualTypeOf<{ readonly n?: true }>();
  });

  it('rejects a key the context does not have, and nesting into a leaf or an array', () => {
    // @ts-expect-error -- `c` is not a key of the context
    defineVersion({ version: 1, machine, shape: { c: true } });
    // @ts-expect-error -- `a` is a number: nothing to nest into
    defineVersion({ version: 1, machine, shape: { a: { x: true } } });
    // @ts-expect-error -- arrays are leaves (element shapes are not checked)
    defineVersion({ version: 1, machine, shape: { tags: { length: true } } });
  });
});
