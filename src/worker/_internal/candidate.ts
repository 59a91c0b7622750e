/**
 * A candidate worker for a drained replacement or its rehearsal: started for another module, loaded and
 * validated before anything is held (replace.ts, rehearse.ts), and the phase its install refusals
 * belong to. One definition for both, so a rehearsal loads exactly as the swap does.
 */
import type { Blocker } from '../../blockers/blocker.ts';
import { blocker } from '../../blockers/messages.ts';
import type { Channel } from './channel.ts';
import type { SwapHost } from './swap.ts';

/** A candidate that loaded and validated its module (terminated already when not `ok`). */
export type LoadedCandidate = { readonly ok: true; readonly candidate: Channel; readonly to: number } | { readonly ok: false; readonly to: number; readonly blockers: readonly Blocker[] };

/** Starts a candidate worker for `module` and waits until it has loaded and validated it. */
export async function loadCandidate(host: SwapHost, request: { readonly module: string; readonly version: number | undefined; readonly exact: boolean }): Promise<LoadedCandidate> {
  const from = host.version();
  const candidate = host.spawnCandidate(request.module, {
    from,
    ...(request.version === undefined ? {} : { version: request.version }),
    ...(request.exact ? { exact: true } : {}),
    ...(host.input === undefined ? {} : { input: host.input }),
  });
  const loaded = await candidate.until((m) => (m.t === 'loaded' || m.t === 'failed' ? m : undefined), 30_000);
  const to = loaded.ok && loaded.value.t === 'loaded' ? loaded.value.version : (request.version ?? from);
  if (loaded.ok && loaded.value.t === 'loaded') return { ok: true, candidate, to };
  void candidate.terminate();
  const error = loaded.ok && loaded.value.t === 'failed' ? loaded.value.error : loaded.ok ? undefined : loaded.crash?.error;
  return { ok: false, to, blockers: [blocker('candidate-failed', { module: request.module, phase: 'load', error: error ?? { name: 'TimeoutError', message: 'no answer in time' } })] };
}

/** The phase an install refusal's blockers belong to (the candidate's install, or a rehearsal's examine). */
export function installPhase(blockers: readonly Blocker[]): 'migrate' | 'verify' | 'install' {
  return blockers.some((b) => b.kind.startsWith('migration') || b.kind === 'irreversible') ? 'migrate' : blockers.some((b) => b.kind === 'install-failed' || b.kind === 'candidate-failed') ? 'install' : 'verify';
}
