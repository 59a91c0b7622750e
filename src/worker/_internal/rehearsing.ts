/**
 * A rehearsal's part in a worker, on a copy, pausing nothing: `rehearse` (the running component's own
 * in-process rehearsal, for a version of this module), `look` (quiesce's look and drain's decision as
 * a handover would make them now) and, in a candidate, `examine` (its install's migrate and verify on
 * that envelope, nothing installed); and the warm-up a candidate runs before its install. Split out of
 * entry.ts (the worker's main module); pinned by test/worker/rehearse.test.ts.
 */
import type { Blocker } from '../../blockers/blocker.ts';
import type { AnyLineage } from '../../lineage/lineage.ts';
import type { LiveComponent } from '../../runtime/component.ts';
import { createRuntime } from '../../runtime/runtime.ts';
import { checkStart } from '../../runtime/_internal/start-check.ts';
import { resolvePolicies } from '../../swap/options.ts';
import { drainToEnvelope, look } from './handover.ts';
import { plain } from './outgoing.ts';
import type { Examined, Looked, PlainPolicies, ToWorker } from './protocol.ts';

const µs = (from: number): number => Math.round((performance.now() - from) * 1000);

/** The reply to a `rehearse`, `look` or `examine` message. */
export function rehearsing(lineage: AnyLineage, c: LiveComponent<any> | undefined, m: Extract<ToWorker, { t: 'rehearse' | 'look' | 'examine' }>): unknown {
  if (m.t === 'rehearse') return plain(c!.rehearse(m.target, m.policies === undefined ? {} : { policies: m.policies }));
  if (m.t === 'examine') {
    const t = performance.now();
    const r = checkStart(lineage, lineage.get(m.version)!, { envelope: m.envelope });
    const examined: Examined = r.ok ? { ok: true, us: µs(t) } : { ok: false, blockers: plain(r.blockers) as Blocker[], ...(r.error === undefined ? {} : { error: { name: 'HotswapError', message: r.error.message, code: r.error.code } }), us: µs(t) };
    return examined;
  }
  const policies = resolvePolicies(m.policies) as Required<PlainPolicies>;
  let t = performance.now();
  const { hard, soft } = look(c!, policies);
  const quiesce = µs(t);
  const waits = plain(soft) as Blocker[];
  if (hard.length > 0) return { ok: false, phase: 'quiesce', blockers: plain([...hard, ...soft]) as Blocker[], waits, us: { quiesce } } satisfies Looked;
  t = performance.now();
  const d = drainToEnvelope(c!, policies);
  const us = { quiesce, drain: µs(t) };
  return (d.ok ? { ok: true, waits, envelope: d.envelope, effects: d.effects, us } : { ok: false, phase: 'drain', blockers: plain(d.blockers) as Blocker[], waits, us }) satisfies Looked;
}

/**
 * Runs a start, persist and restore of the target version once, off the pause: a fresh isolate
 * compiles XState and the restore path on first use (~100 ms), which would otherwise land in the
 * install, while events are held. A version that cannot start without input just skips it.
 */
export function warmUp(lineage: AnyLineage, version: number, input: unknown): void {
  const scratch = createRuntime({ mailboxCapacity: 1 });
  try {
    const c = scratch.start(lineage, { version, ...(input === undefined ? {} : { input }) });
    scratch.start(lineage, { version, envelope: c.persist() });
  } catch {
    // the real install reports what is wrong with the real state
  }
  void scratch.stop();
}
