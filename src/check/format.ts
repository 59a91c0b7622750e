/**
 * The terminal form of a check report: one header line per link, one aligned line per reason, a summary.
 * Deterministic (no timings), so CI logs diff cleanly; colour comes from an injected styler.
 */
import type { CheckReport, LinkReport, Severity, Verdict } from './types.ts';

/** The colours the report uses. */
export type Tone = 'good' | 'warn' | 'bad' | 'dim' | 'bold';

/** Wraps text in a tone; the identity when colour is off. */
export type Styler = (tone: Tone, text: string) => string;

/** No colour. */
export const plain: Styler = (_tone, text) => text;

const verdictTone: Readonly<Record<Verdict, Tone>> = { SAFE: 'good', WARNING: 'warn', UNSAFE: 'bad' };
const severityTone: Readonly<Record<Severity, Tone>> = { info: 'dim', warning: 'warn', unsafe: 'bad' };

/** What the header line says about the run. */
export interface FormatOptions {
  /** The module, as the user named it. */
  readonly module?: string;
  /** Lines saying why the gate failed (from `gateFailures`); none when it passed. */
  readonly failures?: readonly string[];
  readonly style?: Styler;
}

/**
 * Renders a report for a terminal.
 *
 * @example
 * process.stdout.write(formatReport(report, { module: 'lineages.ts' }))
 */
export function formatReport(report: CheckReport, options: FormatOptions = {}): string {
  const style = options.style ?? plain;
  const { runs, seed, maxEvents } = report.settings;
  const lines: string[] = [];
  const target = options.module === undefined ? '' : ` ${options.module}`;
  lines.push(style('bold', `hotswap check${target}`) + style('dim', ` (seed ${seed}, ${runs} runs, up to ${maxEvents} events)`), '');

  const name = (l: LinkReport): string => `${l.component} v${l.from} → v${l.to}`;
  const nameWidth = Math.max(0, ...report.links.map((l) => name(l).length));
  const kindWidth = Math.max(0, ...report.links.flatMap((l) => l.reasons.map((r) => r.kind.length)));
  const riskWidth = Math.max(1, ...report.links.map((l) => String(l.risk).length));
  for (const l of report.links) {
    const states = l.samples.total === 0 ? '' : style('dim', `  ${l.samples.migrated}/${l.samples.total} states migrated`);
    lines.push(
      `${name(l).padEnd(nameWidth)}  ${l.direction.padEnd(4)}  ${style(verdictTone[l.verdict], l.verdict.padEnd(7))}  risk ${String(l.risk).padStart(riskWidth)}${states}`,
    );
    for (const r of l.reasons) {
      if (r.accepted !== undefined) {
        // Reviewed: shown, so the report still tells the whole story, but it counts for nothing.
        lines.push(style('dim', `    accepted   0  ${r.kind.padEnd(kindWidth)}  ${r.message} — baseline: ${r.accepted}`));
        continue;
      }
      const score = `+${r.score}`.padStart(4);
      lines.push(`    ${style(severityTone[r.severity], r.severity.padEnd(7))} ${score}  ${r.kind.padEnd(kindWidth)}  ${r.message}`);
    }
  }
  const s = report.summary;
  const accepted = report.links.reduce((n, l) => n + l.reasons.filter((r) => r.accepted !== undefined).length, 0);
  lines.push(
    '',
    `${s.links} links: ${style('good', `${s.safe} SAFE`)}, ${style('warn', `${s.warning} WARNING`)}, ${style('bad', `${s.unsafe} UNSAFE`)}; highest risk ${s.maxRisk}` +
      (accepted === 0 ? '' : style('dim', `; ${accepted} accepted by the baseline`)),
  );
  for (const w of report.warnings ?? []) lines.push(style('warn', `warning: ${w}`));
  for (const f of options.failures ?? []) lines.push(style('bad', `fail: ${f}`));
  return `${lines.join('\n')}\n`;
}
