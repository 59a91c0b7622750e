/**
 * The `hotswap` command line. `bin/hotswap.js` registers tsx's loader and calls {@link main}.
 */
import { relative } from 'node:path';
import { checkLineages } from '../check/check.ts';
import { formatReport } from '../check/format.ts';
import { gateFailures } from '../check/scores.ts';
import { isHotswapError } from '../errors.ts';
import { parseCommandLine, usage } from './args.ts';
import { loadLineageModule } from './load.ts';
import type { Io } from './io.ts';
import { stylerFor } from './style.ts';

export type { Io } from './io.ts';


/** Exit codes: 0 passed, 1 the gate failed, 2 bad usage or a module that cannot be checked. */
export const ExitCodes = { passed: 0, failed: 1, unusable: 2 } as const;

/**
 * Runs `hotswap <argv>` and resolves to the exit code. Never rejects: every error is written to
 * `stderr` as one `hotswap: …` line (with the stack only for errors that are not {@link HotswapError}s).
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  // `hotswap rollout …` (hotswap/fleet): loaded only when asked for, so `check` never loads `pg`
  if (argv[0] === 'rollout') return (await import('./rollout.ts')).rolloutMain(argv.slice(1), io);
  try {
    const args = parseCommandLine(argv);
    if (args.command === 'help') {
      io.stdout.write(usage);
      return ExitCodes.passed;
    }
    const loaded = await loadLineageModule(args.module, io.cwd);
    const report = checkLineages(loaded.lineages, {
      ...(args.runs === undefined ? {} : { runs: args.runs }),
      ...(args.seed === undefined ? {} : { seed: args.seed }),
      ...(loaded.config === undefined ? {} : { config: loaded.config }),
    });
    const failures = gateFailures(report.links, { strict: args.strict, ...(args.budget === undefined ? {} : { budget: args.budget }) });
    if (args.json) {
      const gate = { strict: args.strict, budget: args.budget ?? null, passed: failures.length === 0, failures };
      io.stdout.write(`${JSON.stringify({ module: args.module, ...report, gate }, null, 2)}\n`);
    } else {
      const module = relative(io.cwd, loaded.path) || args.module;
      io.stdout.write(formatReport(report, { module, failures, style: stylerFor(io.stdout, io.env) }));
    }
    return failures.length === 0 ? ExitCodes.passed : ExitCodes.failed;
  } catch (error) {
    if (isHotswapError(error)) {
      io.stderr.write(`hotswap: ${error.message}\n`);
      if (error.code === 'INVALID_ARGUMENT') io.stderr.write(`Run \`hotswap --help\` for usage.\n`);
    } else {
      io.stderr.write(`hotswap: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    return ExitCodes.unusable;
  }
}

function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env };
}
