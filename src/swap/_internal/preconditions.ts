/** Preconditions ("evidence"): the caller's live checks, run before a swap pauses anything. */
import type { Blocker } from '../../blockers/blocker.ts';
import { blocker } from '../../blockers/messages.ts';
import { describeError } from '../../errors.ts';
import type { ComponentCore } from '../../live/_internal/core.ts';
import type { Precondition, PreconditionContext } from '../options.ts';

const ABORTED = Symbol('aborted');

/** What to say when a signal aborted the swap: its reason when it gave one as text or an Error. */
export function abortReason(signal: AbortSignal | undefined): string {
  const r: unknown = signal?.reason;
  if (typeof r === 'string') return r;
  if (r instanceof Error && r.name !== 'AbortError') return r.message;
  return 'the swap was aborted by its signal';
}

/**
 * Runs every precondition against the live state, in parallel, each bounded by the swap's deadline
 * (the loser of each race is cancelled). Returns the failures as blockers; a throw is a failure too.
 */
export async function runPreconditions(
  core: ComponentCore,
  checks: Readonly<Record<string, Precondition>>,
  o: { from: number; to: number; deadlineAt: number; deadlineMs: number; signal: AbortSignal | undefined },
): Promise<Blocker[]> {
  const controller = new AbortController();
  const snap = core.actor.getSnapshot() as { value: unknown; context: unknown };
  const ctx: PreconditionContext = { instance: core.id, lineage: core.name, component: core.id, from: o.from, to: o.to, state: { value: snap.value, context: snap.context }, signal: controller.signal };
  const failures: Blocker[] = [];
  await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let verdict: boolean | string | typeof ABORTED;
      const deadline = core.waitForChangeless(o.deadlineAt, o.signal);
      try {
        const pending = Promise.resolve(check(ctx));
        pending.catch(() => undefined);
        verdict = await Promise.race([
          pending,
          deadline.promise.then(() => (o.signal?.aborted === true ? ABORTED : `no answer within ${o.deadlineMs} ms`)),
        ]);
      } catch (error) {
        verdict = `threw ${describeError(error).message}`;
      } finally {
        deadline.cancel();
      }
      if (verdict === ABORTED) failures.push(blocker('aborted', { reason: abortReason(o.signal) }));
      else if (verdict !== true) failures.push(blocker('precondition-failed', { name, reason: verdict === false ? 'returned false' : String(verdict) }));
    }),
  );
  controller.abort();
  return failures;
}
