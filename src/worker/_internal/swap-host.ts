/**
 * The component's side of its swaps: builds the {@link SwapHost} a swap step gets (swap.ts,
 * replace.ts) and, at a drained replacement's commit with `options.probation`, the `ProbationHost`
 * its probation gets (probation.ts) — the switch-over to the candidate and the rollback to the old
 * worker, the two places a swap moves the serving worker, module and version. Split out of host.ts,
 * which gives it a {@link ComponentAccess} built once, so its state stays `#private`. Pinned by
 * test/worker/api.test.ts, swap.test.ts and probation.test.ts.
 */
import type { JournaledReport } from '../../swap/report.ts';
import type { HostOptions, WorkerStatus, WorkerSwapOptions } from '../types.ts';
import { Channel, type Crash } from './channel.ts';
import type { LeaseTable } from './leases.ts';
import type { Mirror } from './mirror.ts';
import type { Outbox } from './outbox.ts';
import { WorkerProbation } from './probation.ts';
import type { HostedSnapshot, Request, WorkerInit } from './protocol.ts';
import type { Envelope } from '../../store/envelope.ts';
import type { History, SwapHost } from './swap.ts';

/** What the swap and probation hosts may read and do of their component (built once by `WorkerComponent`). */
export interface ComponentAccess {
  readonly id: string;
  readonly name: string;
  readonly options: HostOptions;
  readonly startTimeoutMs: number;
  readonly outbox: Outbox;
  readonly mirror: Mirror;
  readonly leases: LeaseTable;
  readonly history: History;
  status(): WorkerStatus;
  /** A swap is running. */
  swapping(): boolean;
  module(): string;
  setModule(module: string): void;
  version(): number;
  setVersion(version: number): void;
  /** The serving worker, if any; cleared at a commit (the old worker's end is not a crash). */
  channel(): Channel | undefined;
  clearChannel(): void;
  probation(): WorkerProbation | undefined;
  setProbation(probation: WorkerProbation | undefined): void;
  /** A new request id for a message that is answered. */
  nextId(): number;
  /** Asks the serving worker, after every event sent so far. */
  request(m: Request): Promise<unknown>;
  init(role: WorkerInit['role'], module: string, extra: Partial<WorkerInit>): WorkerInit;
  setCheckpoint(seq: number, envelope: Envelope | undefined): void;
  /** Makes `ch` the worker events go to, and watches it for a crash. */
  adopt(ch: Channel): void;
  /** A new worker rolled back from: its late messages are ignored. */
  retire(ch: Channel): void;
  crashed(crash: Crash): Promise<void>;
  /** Records a report in the component's journal. */
  record<R extends JournaledReport>(report: R): R;
}

/** What a swap step may read and do of this component (see `SwapHost`). */
export function swapHostOf(c: ComponentAccess, options: WorkerSwapOptions = {}): SwapHost {
  return {
    id: c.id,
    name: c.name,
    input: c.options.input,
    startTimeoutMs: c.startTimeoutMs,
    version: () => c.version(),
    channel: () => c.channel()!,
    nextId: () => c.nextId(),
    query: (what) => c.request({ t: 'query', what }) as Promise<HostedSnapshot>,
    request: (m) => c.request(m),
    flush: () => c.outbox.flush(),
    settle: (report, snapshot, revert) => {
      if (report.outcome === 'committed') {
        if (revert) c.history.reverted();
        else c.history.committed(report.from);
        c.setVersion(report.to);
      }
      c.mirror.setSnapshot(snapshot);
    },
    spawnCandidate: (module, extra) => new Channel(c.init('candidate', module, extra), c.options.resourceLimits),
    hold: () => c.outbox.hold(),
    release: () => c.outbox.release(),
    abandon: (drained) => {
      if (drained === undefined) return;
      c.outbox.acked(drained.seq); // the old worker processed up to here, and handed that state over
      c.setCheckpoint(drained.seq, drained.envelope);
    },
    heldEvents: () => c.outbox.held(),
    commit: ({ id, candidate, module, version, seq, envelope, snapshot, handedOver }) => {
      const old = c.channel();
      if (options.probation !== undefined && old !== undefined) c.setProbation(probationOf(c, options, old, { id, seq, envelope: handedOver, snapshot: c.mirror.snapshot }, version));
      c.setModule(module);
      c.clearChannel(); // the old worker's end is not a crash
      c.outbox.acked(seq);
      c.setCheckpoint(seq, envelope);
      c.history.committed(c.version());
      c.setVersion(version);
      c.adopt(candidate);
      c.leases.revokeAll("the old worker was replaced (drained under `leases: 'revoke'`)");
      c.mirror.setSnapshot(snapshot);
      if (c.probation() === undefined) void old?.terminate();
    },
  };
}

/** A probation from this commit: the old worker, its module, version and state then, to roll back to. */
function probationOf(c: ComponentAccess, options: WorkerSwapOptions, old: Channel, at: { id: string; seq: number; envelope: Envelope; snapshot: HostedSnapshot }, to: number): WorkerProbation {
  const [module, from] = [c.module(), c.version()];
  const p: WorkerProbation = new WorkerProbation(
    {
      name: c.name,
      snapshot: () => c.mirror.snapshot,
      record: (report) => void c.record(report),
      report: (error) => c.mirror.report(error),
      ended: (o) => {
        if (c.probation() === p) c.setProbation(undefined);
        if (o.outcome === 'permanent') c.channel()?.post({ t: 'permanent' });
        // the new worker died and the old one could not take over: an ordinary crash
        else if (o.outcome === 'rollback-failed' && o.cause.kind === 'worker-crashed' && c.channel()?.exited === true) void c.crashed(o.cause);
      },
      rollback: (back, log) => {
        if (c.status() === 'stopped') return 'the component was stopped';
        if (c.swapping()) return 'another swap is in progress';
        const failed = c.channel();
        if (failed !== undefined) c.retire(failed);
        void failed?.terminate();
        c.setModule(module);
        c.setVersion(from);
        c.history.reverted();
        c.adopt(back);
        back.post({ t: 'resume' });
        c.mirror.setCheckpoint(at.envelope);
        c.outbox.rewind(at.seq, log);
        c.mirror.setSnapshot(at.snapshot);
        return undefined;
      },
    },
    options.probation!,
    { swapId: at.id, old, from, to, held: c.outbox.held() },
  );
  return p;
}
