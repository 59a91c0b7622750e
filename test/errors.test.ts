/**
 * `HotswapError` and `isHotswapError` (src/errors.ts): errors are told apart by code, and recognised by
 * a `Symbol.for` brand, so an error thrown by another copy of hotswap (`src/` and `dist/`, or two
 * installs) is still one — which `instanceof` would miss.
 */
import { describe, expect, it } from 'vitest';
import { HotswapError, isHotswapError } from '../src/index.ts';
import type * as ErrorsModule from '../src/errors.ts';

const BRAND = Symbol.for('hotswap.HotswapError');

describe('isHotswapError', () => {
  it('recognises a HotswapError, and only with its own code when a code is given', () => {
    const e = new HotswapError('MAILBOX_FULL', 'full');
    expect(isHotswapError(e)).toBe(true);
    expect(isHotswapError(e, 'MAILBOX_FULL')).toBe(true);
    expect(isHotswapError(e, 'COMPONENT_STOPPED')).toBe(false);
  });

  it('recognises an error from another copy of the module by its brand, where instanceof fails', () => {
    // what another copy's constructor builds: its own class, the same registered symbol
    class OtherCopyHotswapError extends Error {
      override readonly name = 'HotswapError';
      constructor(readonly code: string, message: string) {
        super(message);
        Object.defineProperty(this, BRAND, { value: true });
      }
    }
    const foreign = new OtherCopyHotswapError('START_REFUSED', 'refused');
    expect(foreign instanceof HotswapError).toBe(false);
    expect(isHotswapError(foreign)).toBe(true);
    expect(isHotswapError(foreign, 'START_REFUSED')).toBe(true);
    expect(isHotswapError(foreign, 'SWAP_REFUSED')).toBe(false);
    expect(isHotswapError({ [BRAND]: true, code: 'UNKNOWN_VERSION', message: 'plain object' }, 'UNKNOWN_VERSION')).toBe(true);
  });

  it('recognises an error thrown by a real second copy of src/errors.ts (loaded under another URL)', async () => {
    const url = '../src/errors.ts?second-copy';
    const other = (await import(/* @vite-ignore */ url)) as typeof ErrorsModule;
    expect(other.HotswapError).not.toBe(HotswapError); // a distinct module instance, with its own class
    const e = new other.HotswapError('LEASE_REVOKED', 'revoked');
    expect(e instanceof HotswapError).toBe(false);
    expect(isHotswapError(e, 'LEASE_REVOKED')).toBe(true);
    expect(other.isHotswapError(new HotswapError('LEASE_REVOKED', 'revoked'), 'LEASE_REVOKED')).toBe(true);
  });

  it('does not take a look-alike without the brand for one', () => {
    const lookalike = Object.assign(new Error('x'), { name: 'HotswapError', code: 'MAILBOX_FULL' });
    for (const value of [lookalike, { code: 'MAILBOX_FULL' }, { [Symbol('hotswap.HotswapError')]: true }, { [BRAND]: 'yes' }, null, undefined, 'HotswapError']) {
      expect(isHotswapError(value)).toBe(false);
    }
  });

  it('keeps the brand out of JSON, keys and spreads', () => {
    const e = new HotswapError('INVALID_ARGUMENT', 'Expected `capacity` to be a positive integer, got `0`', { details: { capacity: 0 } });
    expect(Object.keys(e)).toEqual(['name', 'code', 'details']);
    expect(JSON.parse(JSON.stringify(e.toJSON()))).toEqual({ code: 'INVALID_ARGUMENT', message: e.message, details: { capacity: 0 } });
    expect(BRAND in { ...e }).toBe(false);
  });
});
