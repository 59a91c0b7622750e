import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/args.ts';
import { isHotswapError } from '../../src/errors.ts';

const refusal = (argv: string[]): string => {
  try {
    parseCommandLine(argv);
  } catch (e) {
    if (isHotswapError(e, 'INVALID_ARGUMENT')) return e.message;
    throw e;
  }
  throw new Error('expected a refusal');
};

describe('parseCommandLine', () => {
  it('parses check with every option', () => {
    expect(parseCommandLine(['check', 'm.ts', '--strict', '--json', '--budget', '40', '--runs', '50', '--seed=-3'])).toEqual({
      command: 'check',
      module: 'm.ts',
      strict: true,
      json: true,
      budget: 40,
      runs: 50,
      seed: -3,
    });
  });

  it('asks for help with no arguments or --help', () => {
    expect(parseCommandLine([])).toEqual({ command: 'help' });
    expect(parseCommandLine(['check', '-h'])).toEqual({ command: 'help' });
  });

  it('refuses bad usage with one clear message', () => {
    expect(refusal(['lint', 'm.ts'])).toBe('Expected the command `check`, got `lint`');
    expect(refusal(['check'])).toBe('Expected a module to check: `hotswap check <module>`');
    expect(refusal(['check', 'a.ts', 'b.ts'])).toBe('Expected one module, got also `b.ts`');
    expect(refusal(['check', 'm.ts', '--runs', '0'])).toBe('Expected `--runs` to be a positive integer, got `0`');
    expect(refusal(['check', 'm.ts', '--budget', 'lots'])).toBe('Expected `--budget` to be a non-negative number, got `lots`');
    expect(refusal(['check', 'm.ts', '--seed', '1.5'])).toBe('Expected `--seed` to be an integer from -2147483648 to 2147483647, got `1.5`');
    // fast-check keeps 32 bits: these ran silently as seeds 1 and -2147483648
    expect(refusal(['check', 'm.ts', '--seed', '4294967297'])).toBe('Expected `--seed` to be an integer from -2147483648 to 2147483647, got `4294967297`');
    expect(refusal(['check', 'm.ts', '--seed', '2147483648'])).toMatch(/^Expected `--seed` to be an integer from/);
    expect(refusal(['check', 'm.ts', '--seed=-2147483649'])).toMatch(/^Expected `--seed` to be an integer from/);
    expect(parseCommandLine(['check', 'm.ts', '--seed=-2147483648'])).toMatchObject({ seed: -2147483648 });
    expect(parseCommandLine(['check', 'm.ts', '--seed', '2147483647'])).toMatchObject({ seed: 2147483647 });
    expect(refusal(['check', 'm.ts', '--colour'])).toMatch(/Unknown option '--colour'/);
  });
});
