/** Helpers for the kit's own tests: run a property expected to fail and expose what fast-check found. */
import fc from 'fast-check';
import { expect } from 'vitest';
import { SwapPropertyError } from '../../src/testing/index.ts';
import { fcParams } from '../_support/fc.ts';

/** What a failing property produced: the kit's error, the shrunk input, and how many runs it took. */
export interface Found {
  readonly error: SwapPropertyError;
  readonly counterexample: readonly unknown[];
  /** Runs until the first failure (1-based), i.e. fast-check's `numRuns` on failure. */
  readonly numRuns: number;
  readonly numShrinks: number;
  /** What `fc.assert` throws: seed, path, shrunk counterexample; our error is its `cause`. */
  readonly report: string;
}

/** Runs `property`, asserts it fails, and returns the details. Also checks `fc.assert` throws the same report. */
export function expectToFind(property: fc.IProperty<any>, numRuns: number, extra: fc.Parameters<any> = {}): Found {
  const params = fcParams(numRuns, extra);
  const out = fc.check(property, params);
  expect(out.failed, 'the property should have found the seeded bug').toBe(true);
  expect(out.errorInstance).toBeInstanceOf(SwapPropertyError);
  let report = '';
  let cause: unknown;
  try {
    fc.assert(property, params);
  } catch (e) {
    report = (e as Error).message;
    cause = (e as Error).cause;
  }
  expect(report).toMatch(new RegExp(`seed: ${String(params.seed)}, path: "[0-9:]+"`));
  expect(report).toMatch(/Counterexample: \[Reachable<.+ ⇒ /);
  expect(report).toMatch(/Shrunk \d+ time\(s\)/);
  expect(cause).toBeInstanceOf(SwapPropertyError);
  expect((cause as Error).message).toBe((out.errorInstance as Error).message);
  return {
    error: out.errorInstance as SwapPropertyError,
    counterexample: out.counterexample ?? [],
    numRuns: out.numRuns,
    numShrinks: out.numShrinks,
    report,
  };
}

/** The event types of a shrunk reachable counterexample. */
export function eventTypes(found: Found): string[] {
  return (found.counterexample[0] as { events: { type: string }[] }).events.map((e) => e.type);
}
