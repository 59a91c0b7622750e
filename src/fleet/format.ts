/**
 * Printable forms of a rollout: its progress per wave with each gate's evidence ({@link formatRollout},
 * the CLI's live display and `status`), and its story told from the audit log ({@link formatStory}),
 * so what happened can be read after the fact. Tests: test/fleet/format.test.ts, test/cli/rollout.test.ts.
 */
import type { AuditEntry, Evidence, RolloutView, StepCounts, WaveSpec } from './types.ts';

/** Progress per wave: done / failed / unknown / pending, and the gate's decision with its evidence. */
export function formatRollout(view: RolloutView, audit: readonly AuditEntry[] = []): string {
  const r = view.rollout;
  const lines = [`rollout ${r.id}: ${r.component} v${r.from} → v${r.to} — ${r.status}${r.status === 'waving' || r.status === 'gating' ? ` (wave ${r.wave + 1} of ${r.sizes.length})` : ''}, version ${r.version}`];
  if (r.reason !== null) lines.push(`  ${r.reason}`);
  const gates = new Map<number, AuditEntry>();
  for (const e of audit) if (e.kind === 'gate-decision' && e.wave !== null) gates.set(e.wave, e);
  view.waves.forEach((c, w) => {
    const spec = r.waves[w];
    const gate = gates.get(w);
    const verdict = gate === undefined ? (w === r.wave && r.status === 'gating' ? 'gate: soaking' : '') : `gate: ${String(gate.data['verdict'])} — ${evidenceLine(gate.data['evidence'] as Evidence | undefined)}`;
    lines.push(`  wave ${w + 1} ${pad(spec === undefined ? '' : waveName(spec, w === view.waves.length - 1), 12)} ${progress(c)}${verdict === '' ? '' : `  ${verdict}`}`);
  });
  if (view.revert.total > 0) lines.push(`  revert ${pad('', 12)} ${progress(view.revert)}`);
  return `${lines.join('\n')}\n`;
}

function waveName(w: WaveSpec, last: boolean): string {
  const target = 'count' in w ? `${w.count}` : 'share' in w ? `${Math.round(w.share * 1000) / 10} %` : `p${w.processes}`;
  return `→ ${target}${last && !('share' in w && w.share === 1) ? ' + rest' : ''}`;
}

function progress(c: StepCounts): string {
  const pending = c.planned + c.pending + c.claimed;
  return `${pad(String(c.total), 5, true)} inst.: ${c.done} done, ${c.failed} failed, ${c.unknown} unknown, ${pending} pending${c.cancelled > 0 ? `, ${c.cancelled} cancelled` : ''}`;
}

function evidenceLine(e: Evidence | undefined): string {
  if (e === undefined) return 'no evidence';
  const blockers = Object.entries(e.blockers).map(([k, n]) => `${k} ×${n}`);
  const check = e.check === undefined ? '' : `; check ${e.check.verdict}${e.check.detail === undefined ? '' : ` (${typeof e.check.detail === 'string' ? e.check.detail : JSON.stringify(e.check.detail)})`}`;
  return `${e.done} done, ${e.failed} failed, ${e.unknown} unknown, failure rate ${Math.round(e.failureRate * 1000) / 10} %${blockers.length > 0 ? ` (${blockers.join(', ')})` : ''}${check}`;
}

function pad(s: string, n: number, left = false): string {
  return left ? s.padStart(n) : s.padEnd(n);
}

/**
 * The rollout's story from its audit log, one line per event, times relative to the start: committed
 * swaps are summed per agent and wave; every refusal, unknown instance and gate decision is its own line.
 */
export function formatStory(audit: readonly AuditEntry[]): string {
  const t0 = audit[0]?.at ?? 0;
  const lines: string[] = [];
  const at = (e: AuditEntry): string => `+${((e.at - t0) / 1000).toFixed(3)}s`.padEnd(10);
  let run: { e: AuditEntry; n: number; kind: string } | undefined;
  const flush = (): void => {
    if (run !== undefined) lines.push(`${at(run.e)} agent ${run.e.agentId}: ${run.n} instance(s) ${run.kind === 'down' ? 'reverted' : 'upgraded'} in wave ${(run.e.wave ?? 0) + 1}`);
    run = undefined;
  };
  for (const e of audit) {
    const d = e.data;
    if (e.kind === 'instance-attempt' && d['outcome'] === 'committed') {
      if (run !== undefined && run.e.agentId === e.agentId && run.e.wave === e.wave && run.kind === d['kind']) run.n++;
      else {
        flush();
        run = { e, n: 1, kind: String(d['kind']) };
      }
      continue;
    }
    flush();
    const wave = e.wave === null ? '' : `wave ${e.wave + 1}`;
    switch (e.kind) {
      case 'rollout-started':
        lines.push(`${at(e)} started by ${String(d['by'])}: ${String(d['component'])} v${String(d['from'])} → v${String(d['to'])}, waves of ${(d['sizes'] as number[]).join(' / ')} instance(s), gate ${JSON.stringify(d['gate'])}`);
        break;
      case 'wave-opened':
        lines.push(`${at(e)} ${wave} opened: ${String(d['size'])} instance(s)`);
        break;
      case 'wave-settled':
        lines.push(`${at(e)} ${wave} settled; gate soaking`);
        break;
      case 'instance-attempt': {
        const blockers = (d['blockers'] as { message: string }[] | undefined) ?? [];
        lines.push(`${at(e)} agent ${e.agentId}: ${e.instance} ${d['kind'] === 'down' ? 'revert' : 'upgrade'} v${String(d['from'])} → v${String(d['to'])} refused (${String(d['phase'])}): ${blockers.map((b) => b.message).join('; ')}`);
        break;
      }
      case 'instance-unknown':
        lines.push(`${at(e)} agent ${e.agentId}: ${e.instance} unknown (${String(d['reason'])}; step was ${String(d['was'] ?? 'open')})`);
        break;
      case 'gate-decision':
        lines.push(`${at(e)} ${wave} gate ${String(d['verdict'])}: ${evidenceLine(d['evidence'] as Evidence | undefined)} → ${String(d['status'])}`);
        break;
      case 'resumed':
        lines.push(`${at(e)} resumed by ${String(d['by'])} → ${String(d['status'])}`);
        break;
      case 'abort-requested':
        lines.push(`${at(e)} abort by ${String(d['by'])}: ${String(d['abortReason'])}`);
        break;
      case 'revert-started':
        lines.push(`${at(e)} reverting upgraded instances (${String(d['reason'])})`);
        break;
      case 'completed':
        lines.push(`${at(e)} completed`);
        break;
      case 'aborted':
        lines.push(`${at(e)} aborted: revert finished`);
        break;
    }
  }
  flush();
  return `${lines.join('\n')}\n`;
}
