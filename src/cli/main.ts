/**
 * The `hotswap` command line. `bin/hotswap.js` registers tsx's loader and calls {@link main}.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { type Baseline, applyBaseline, baselineOf, describeEntry, formatBaseline, parseBaseline } from '../check/baseline.ts';
import { checkLineages } from '../check/check.ts';
import { formatReport } from '../check/format.ts';
import { gateFailures } from '../check/scores.ts';
import { HotswapError, isHotswapError } from '../errors.ts';
import { parseCommandLine, usage } from './args.ts';
import { loadLineageModule } from './load.ts';
import { extendWithPlugin } from './load-plugin.ts';
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
    // Read the baseline before the (slow) check, so a bad file is refused at once.
    const baseline = args.baseline === undefined ? undefined : readBaseline(io.cwd, args.baseline);
    const loaded = await loadLineageModule(args.module, io.cwd);
    const plugin = args.plugin === undefined ? undefined : await extendWithPlugin(args.plugin, io.cwd, loaded.lineages);
    const checked = checkLineages(plugin === undefined ? loaded.lineages : [plugin.lineage], {
      ...(plugin === undefined ? {} : { newestOnly: true }),
      ...(args.runs === undefined ? {} : { runs: args.runs }),
      ...(args.seed === undefined ? {} : { seed: args.seed }),
      ...(loaded.config === undefined ? {} : { config: loaded.config }),
    });
    const applied = baseline === undefined ? undefined : applyBaseline(checked, baseline);
    const report = applied?.report ?? checked;
    if (args.writeBaseline !== undefined) {
      const file = resolve(io.cwd, args.writeBaseline);
      const previous = existsSync(file) ? readBaseline(io.cwd, args.writeBaseline, false) : baseline;
      const entries = baselineOf(checked, { ...(previous === undefined ? {} : { previous }), ...(args.note === undefined ? {} : { note: args.note }) });
      writeFileSync(file, formatBaseline(entries));
      const unnoted = entries.filter((e) => e.note.trim() === '').length;
      io.stdout.write(
        `wrote ${entries.length} baseline entries to ${args.writeBaseline}` +
          (unnoted === 0 ? '\n' : `; ${unnoted} need a note (why is the finding accepted?) before \`--baseline ${args.writeBaseline}\` accepts them\n`),
      );
      return ExitCodes.passed;
    }
    const failures = gateFailures(report.links, { strict: args.strict, ...(args.budget === undefined ? {} : { budget: args.budget }) });
    const stale = (applied?.stale ?? []).map((e) => `baseline entry ${describeEntry(e)} matches no finding any more; remove it from ${args.baseline}`);
    if (args.json) {
      const gate = { strict: args.strict, budget: args.budget ?? null, passed: failures.length === 0, failures };
      const base =
        applied === undefined ? {} : { baseline: { file: args.baseline, entries: baseline!.accepted.length, accepted: applied.accepted, stale: applied.stale.map(describeEntry) } };
      const extra = args.plugin === undefined ? {} : { plugin: args.plugin };
      io.stdout.write(`${JSON.stringify({ module: args.module, ...extra, ...report, ...base, gate }, null, 2)}\n`);
    } else {
      const lineages = relative(io.cwd, loaded.path) || args.module;
      const module = plugin === undefined ? lineages : `${relative(io.cwd, plugin.path) || args.plugin} (extends ${lineages})`;
      const warnings = [...(report.warnings ?? []), ...stale];
      const shown = warnings.length === 0 ? report : { ...report, warnings };
      io.stdout.write(formatReport(shown, { module, failures, style: stylerFor(io.stdout, io.env) }));
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

/** Reads and parses a baseline file (relative to `cwd`); `CHECK_BASELINE_INVALID` when it cannot be read. */
function readBaseline(cwd: string, file: string, requireNotes = true): Baseline {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new HotswapError('CHECK_BASELINE_INVALID', `Cannot read baseline \`${file}\`: ${(error as Error).message}`, { cause: error, details: { file } });
  }
  return parseBaseline(text, file, { requireNotes });
}

function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env };
}
