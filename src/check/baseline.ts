/**
 * Baselines: a reviewed allow-list of `hotswap check` findings, so a team accepts an intended change
 * once (a field dropped on purpose, a rollback that cannot give everything back) and the gate fails only
 * on new findings. A finding is a link (component, from, to), a reason kind and, when the reason is about
 * one thing, its subject (a field path, a state); every entry carries a note saying why it is accepted.
 *
 * The file is JSON, written by `hotswap check --write-baseline` and meant to be committed and reviewed:
 *
 *   { "hotswapBaseline": 1,
 *     "accepted": [ { "component": "profile", "from": 1, "to": 2, "kind": "data-loss", "subject": "note",
 *                     "note": "notes moved to the notes service (#412)" } ] }
 */
import { HotswapError } from '../errors.ts';
import { riskOf, summarize, verdictOf } from './scores.ts';
import { type CheckReport, type LinkReport, type Reason, type ReasonKind, ReasonKinds } from './types.ts';

/** The format version this code reads and writes. */
export const BASELINE_FORMAT = 1;

/** One accepted finding. */
export interface BaselineEntry {
  readonly component: string;
  readonly from: number;
  readonly to: number;
  readonly kind: ReasonKind;
  /** The reason's subject (field path, state, blocker key); absent: every reason of this kind on the link. */
  readonly subject?: string;
  /** Why this finding is accepted: a reviewer's words, never empty. */
  readonly note: string;
}

/** A parsed baseline file. */
export interface Baseline {
  readonly accepted: readonly BaselineEntry[];
}

/** What {@link applyBaseline} found: the report with accepted reasons marked, and the entries that matched nothing. */
export interface BaselineResult {
  readonly report: CheckReport;
  /** How many reasons the baseline accepted. */
  readonly accepted: number;
  /** Entries that matched no finding (fixed since, or renamed): remove them so they cannot hide a new one. */
  readonly stale: readonly BaselineEntry[];
}

/** How an entry is named in messages: `profile v1 → v2 data-loss 'note'`. */
export function describeEntry(e: Pick<BaselineEntry, 'component' | 'from' | 'to' | 'kind' | 'subject'>): string {
  return `${e.component} v${e.from} → v${e.to} ${e.kind}${e.subject === undefined ? '' : ` '${e.subject}'`}`;
}

/**
 * Parses a baseline file's text. Throws a {@link HotswapError} (`CHECK_BASELINE_INVALID`) naming the
 * file and the first thing wrong: not JSON, another format, an entry missing a field, an unknown kind,
 * or an entry without a note (allowed with `requireNotes: false`, to rewrite a file still under review).
 */
export function parseBaseline(text: string, file: string, options: { readonly requireNotes?: boolean } = {}): Baseline {
  const invalid = (what: string): HotswapError =>
    new HotswapError('CHECK_BASELINE_INVALID', `Baseline \`${file}\` ${what}`, { details: { file } });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw invalid(`is not JSON: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || (raw as { hotswapBaseline?: unknown }).hotswapBaseline !== BASELINE_FORMAT) {
    throw invalid(`is not a hotswap baseline: expected an object with \`"hotswapBaseline": ${BASELINE_FORMAT}\``);
  }
  const list = (raw as { accepted?: unknown }).accepted;
  if (!Array.isArray(list)) throw invalid('has no `accepted` list');
  const accepted = list.map((entry: unknown, i): BaselineEntry => {
    const at = `entry ${i + 1}`;
    if (typeof entry !== 'object' || entry === null) throw invalid(`${at} is not an object`);
    const e = entry as Record<string, unknown>;
    if (typeof e['component'] !== 'string' || e['component'] === '') throw invalid(`${at}: expected \`component\` to be a non-empty string`);
    for (const key of ['from', 'to'] as const) {
      if (!Number.isSafeInteger(e[key])) throw invalid(`${at}: expected \`${key}\` to be a version number, got \`${JSON.stringify(e[key])}\``);
    }
    if (!(ReasonKinds as readonly unknown[]).includes(e['kind'])) {
      throw invalid(`${at}: expected \`kind\` to be a reason kind (${ReasonKinds.join(', ')}), got \`${String(e['kind'])}\``);
    }
    if (e['subject'] !== undefined && typeof e['subject'] !== 'string') throw invalid(`${at}: expected \`subject\` to be a string`);
    const base = {
      component: e['component'],
      from: e['from'] as number,
      to: e['to'] as number,
      kind: e['kind'] as ReasonKind,
      ...(e['subject'] === undefined ? {} : { subject: e['subject'] as string }),
    };
    if (typeof e['note'] !== 'string') throw invalid(`${at} (${describeEntry(base)}): expected \`note\` to be a string`);
    if (options.requireNotes !== false && e['note'].trim() === '') {
      throw invalid(`${at} (${describeEntry(base)}) has no note: say why this finding is accepted`);
    }
    return { ...base, note: e['note'] };
  });
  return { accepted };
}

/** Whether `entry` accepts `reason` on link `l`. */
function matches(entry: BaselineEntry, l: LinkReport, r: Reason): boolean {
  return (
    entry.component === l.component &&
    entry.from === l.from &&
    entry.to === l.to &&
    entry.kind === r.kind &&
    (entry.subject === undefined || entry.subject === r.subject)
  );
}

/**
 * Marks the reasons a baseline accepts (`accepted: note`), and recomputes each link's verdict and risk
 * and the summary without them: an accepted finding no longer fails the gate; a new one still does.
 */
export function applyBaseline(report: CheckReport, baseline: Baseline): BaselineResult {
  const used = new Set<BaselineEntry>();
  let accepted = 0;
  const links = report.links.map((l): LinkReport => {
    const reasons = l.reasons.map((r): Reason => {
      const entry = baseline.accepted.find((e) => matches(e, l, r));
      if (entry === undefined) return r;
      used.add(entry);
      accepted++;
      return { ...r, accepted: entry.note };
    });
    return { ...l, reasons, verdict: verdictOf(reasons), risk: riskOf(reasons, l.direction) };
  });
  const stale = baseline.accepted.filter((e) => !used.has(e));
  return { report: { ...report, links, summary: summarize(links) }, accepted, stale };
}

/**
 * The baseline that accepts every finding of `report` that can fail a gate (warnings, unsafe reasons,
 * info that adds to the risk), keeping the note of each entry of `previous` that still matches and
 * giving new entries `note` (empty when none: the file then needs a reviewer's note before it is used).
 * Entries are sorted, so the file diffs cleanly.
 */
export function baselineOf(report: CheckReport, options: { readonly previous?: Baseline; readonly note?: string } = {}): BaselineEntry[] {
  const entries: BaselineEntry[] = [];
  for (const l of report.links) {
    for (const r of l.reasons) {
      if (r.severity === 'info' && r.score === 0) continue;
      const kept = options.previous?.accepted.find((e) => matches(e, l, r));
      const entry: BaselineEntry = {
        component: l.component,
        from: l.from,
        to: l.to,
        kind: r.kind,
        ...(r.subject === undefined ? {} : { subject: r.subject }),
        note: kept?.note ?? options.note ?? '',
      };
      if (!entries.some((e) => describeEntry(e) === describeEntry(entry))) entries.push(entry);
    }
  }
  return entries.sort((a, b) => describeEntry(a).localeCompare(describeEntry(b)));
}

/** The file text of a baseline: stable key order, one entry per line group, a final newline. */
export function formatBaseline(entries: readonly BaselineEntry[]): string {
  return `${JSON.stringify({ hotswapBaseline: BASELINE_FORMAT, accepted: entries }, null, 2)}\n`;
}
