/**
 * Command-line arguments of `hotswap`, parsed with `node:util`'s `parseArgs`.
 */
import { parseArgs } from 'node:util';
import { SEED_MAX, SEED_MIN } from '../check/check.ts';
import { HotswapError } from '../errors.ts';

/** `hotswap check <module> [options]`, parsed. */
export interface CheckArgs {
  readonly command: 'check';
  readonly module: string;
  readonly strict: boolean;
  readonly json: boolean;
  readonly budget: number | undefined;
  readonly runs: number | undefined;
  readonly seed: number | undefined;
  /** A baseline file whose reviewed findings do not fail the gate. */
  readonly baseline: string | undefined;
  /** Write the current findings as a baseline to this file (keeping the notes of entries it already has). */
  readonly writeBaseline: string | undefined;
  /** The note of entries `writeBaseline` adds. */
  readonly note: string | undefined;
  /** A plugin file to check: the link it adds to the module's lineage of its component, only. */
  readonly plugin: string | undefined;
}

/** What the command line asks for. */
export type Args = CheckArgs | { readonly command: 'help' };

/** The `--help` text. */
export const usage = `Usage: hotswap check <module> [options]

Imports <module> (a .ts or .js file, relative to the current directory), finds every exported
lineage (also inside a default export object), and classifies each link, up and down, as
SAFE, WARNING or UNSAFE from sampled reachable states, with its reasons and a risk score.

Options:
  --strict        also fail on WARNING
  --budget <n>    fail when a link's risk score exceeds n
  --json          print a machine-readable report instead of the table
  --runs <n>      generated event sequences per version (default 200)
  --seed <n>      generation seed, a 32-bit integer (default fixed, so runs repeat)
  --baseline <file>        accept the reviewed findings listed in <file>: they no longer
                           fail the gate, new findings still do
  --write-baseline <file>  write every current finding that can fail the gate to <file>
                           (keeping the notes of entries already there) and exit 0
  --note <text>            the note of the entries --write-baseline adds (each entry needs one
                           before the baseline can be used)
  --plugin <file>          check one plugin file: extend the module's lineage of the plugin's
                           component with it and check only the link it adds
  -h, --help      show this help

Exit codes: 0 passed, 1 a link is UNSAFE (or WARNING with --strict, or over --budget),
not counting findings the baseline accepts; 2 bad usage, a module that cannot be checked,
or a baseline that cannot be read.
`;

/**
 * Parses `argv` (without `node` and the script). Throws a {@link HotswapError} (`INVALID_ARGUMENT`)
 * on bad usage.
 */
export function parseCommandLine(argv: readonly string[]): Args {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new HotswapError('INVALID_ARGUMENT', (error as Error).message, { cause: error });
  }
  const { values, positionals } = parsed;
  if (values.help === true || positionals.length === 0) return { command: 'help' };
  const [command, module, ...extra] = positionals;
  if (command !== 'check') {
    throw new HotswapError('INVALID_ARGUMENT', `Expected the command \`check\`, got \`${command}\``);
  }
  if (module === undefined) throw new HotswapError('INVALID_ARGUMENT', 'Expected a module to check: `hotswap check <module>`');
  if (extra.length > 0) throw new HotswapError('INVALID_ARGUMENT', `Expected one module, got also \`${extra.join(' ')}\``);
  if (values.note !== undefined && values['write-baseline'] === undefined) {
    throw new HotswapError('INVALID_ARGUMENT', 'Expected `--note` only with `--write-baseline <file>` (it is the note of the entries written)');
  }
  return {
    command: 'check',
    module,
    strict: values.strict === true,
    json: values.json === true,
    budget: number('budget', values.budget, (n) => n >= 0, 'a non-negative number'),
    runs: number('runs', values.runs, (n) => Number.isSafeInteger(n) && n >= 1, 'a positive integer'),
    // fast-check keeps 32 bits of a seed: 4294967297 would silently run as seed 1.
    seed: number('seed', values.seed, (n) => Number.isInteger(n) && n >= SEED_MIN && n <= SEED_MAX, `an integer from ${SEED_MIN} to ${SEED_MAX}`),
    baseline: path('baseline', values.baseline),
    writeBaseline: path('write-baseline', values['write-baseline']),
    note: values.note,
    plugin: path('plugin', values.plugin),
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      strict: { type: 'boolean' },
      json: { type: 'boolean' },
      budget: { type: 'string' },
      runs: { type: 'string' },
      seed: { type: 'string' },
      baseline: { type: 'string' },
      'write-baseline': { type: 'string' },
      note: { type: 'string' },
      plugin: { type: 'string' },
    },
  });
}

function path(name: string, raw: string | undefined): string | undefined {
  if (raw !== undefined && raw.trim() === '') throw new HotswapError('INVALID_ARGUMENT', `Expected \`--${name}\` to be a file path, got \`${raw}\``);
  return raw;
}

function number(name: string, raw: string | undefined, ok: (n: number) => boolean, what: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(n) || !ok(n)) {
    throw new HotswapError('INVALID_ARGUMENT', `Expected \`--${name}\` to be ${what}, got \`${raw}\``);
  }
  return n;
}
