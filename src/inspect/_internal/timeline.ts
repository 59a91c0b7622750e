/**
 * The inspector's swap timeline, fed by the diagnostics channels (src/diagnostics): a record per swap
 * attempt of the inspected runtime's components — phases as they finish, then the outcome, pause,
 * held events and blockers from the report. Bounded; plain data for the page. Pinned by
 * test/inspect/inspector.test.ts and the browser test.
 */
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import { ChannelNames, type SwapAllTrace, type SwapPhaseMessage, type SwapTrace } from '../../diagnostics/channels.ts';
import type { SwapPhase, SwapReport } from '../../swap/report.ts';
import type { SwapAllReport } from '../../swap/swap-all.ts';
import type { JournalEntry } from '../../journal/journal.ts';

/** One swap attempt as the page shows it. */
export interface SwapRecord {
  readonly swapId: string;
  readonly instance: string;
  readonly component: string;
  readonly from: number;
  readonly to: number;
  /** `journal`: recorded before the inspector started, read from the runtime's journal. */
  readonly kind: 'swap' | 'revert' | 'swap-all' | 'journal';
  /** Wall-clock start (ms since the epoch). */
  readonly startedAt: number;
  state: 'running' | JournalEntry['outcome'];
  readonly phases: { readonly phase: SwapPhase; readonly durationUs: number; readonly outcome: 'passed' | 'refused' }[];
  refusedIn?: SwapPhase;
  totalUs?: number;
  pauseUs?: number;
  held?: number;
  blockers: readonly { readonly kind: string; readonly message: string }[];
}

/**
 * Subscribes to the swap channels and keeps the last `limit` attempts of the instances `owns` accepts.
 * `changed` is called after every update. `close()` unsubscribes.
 */
export function swapTimeline(options: { owns: (instance: string) => boolean; limit: number; changed: () => void }) {
  const records: SwapRecord[] = [];
  const byId = new Map<string, SwapRecord>();
  const { owns, limit, changed } = options;

  const open = (r: Omit<SwapRecord, 'state' | 'phases' | 'blockers' | 'startedAt'>): void => {
    if (!owns(r.instance) || byId.has(r.swapId)) return;
    const record: SwapRecord = { ...r, startedAt: Date.now(), state: 'running', phases: [], blockers: [] };
    records.push(record);
    byId.set(r.swapId, record);
    while (records.length > limit) byId.delete(records.shift()!.swapId);
    changed();
  };
  const close = (report: SwapReport | undefined, swapId: string): void => {
    const record = byId.get(swapId);
    if (record === undefined || report === undefined) return;
    record.state = report.outcome;
    if (report.phase !== undefined) record.refusedIn = report.phase;
    record.totalUs = report.totalUs;
    record.pauseUs = report.pauseUs;
    record.held = report.held;
    record.blockers = report.blockers.map((b) => ({ kind: b.kind, message: b.message }));
    changed();
  };

  const swap = tracingChannel<unknown, SwapTrace<SwapReport>>(ChannelNames.swap);
  const swapAll = tracingChannel<unknown, SwapAllTrace<SwapAllReport>>(ChannelNames.swapAll);
  const none = (): void => undefined;
  const swapHandlers = {
    end: none,
    asyncStart: none,
    error: none,
    start: (t: SwapTrace<SwapReport>) => open({ swapId: t.swapId, instance: t.instance, component: t.component, from: t.from, to: t.to, kind: t.kind }),
    asyncEnd: (t: SwapTrace<SwapReport>) => close(t.result, t.swapId),
  };
  const allHandlers = {
    end: none,
    asyncStart: none,
    error: none,
    start: (t: SwapAllTrace<SwapAllReport>) => {
      for (const p of t.parts) open({ ...p, kind: 'swap-all' });
    },
    asyncEnd: (t: SwapAllTrace<SwapAllReport>) => {
      for (const report of t.result?.reports ?? []) close(report, report.id);
    },
  };
  const onPhase = (m: unknown): void => {
    const message = m as SwapPhaseMessage<SwapPhase>;
    const record = byId.get(message.swapId);
    if (record === undefined) return;
    record.phases.push({ phase: message.phase, durationUs: message.durationUs, outcome: message.outcome });
    changed();
  };
  swap.subscribe(swapHandlers);
  swapAll.subscribe(allHandlers);
  subscribe(ChannelNames.phase, onPhase);

  return {
    records: (): readonly SwapRecord[] => records,
    /** Puts the journal's past attempts of our instances before the ones seen live (the last `limit`). */
    seed: (entries: readonly JournalEntry[]): void => {
      const past: SwapRecord[] = [];
      for (const e of entries) {
        if (!owns(e.instance) || byId.has(e.id)) continue;
        const phases = (Object.keys(e.timings) as SwapPhase[]).map((phase) => ({
          phase,
          durationUs: e.timings[phase] ?? 0,
          outcome: e.phase === phase ? ('refused' as const) : ('passed' as const),
        }));
        if (e.phase !== undefined && !(e.phase in e.timings)) phases.push({ phase: e.phase, durationUs: 0, outcome: 'refused' });
        const parsed = Date.parse(e.at);
        past.push({
          swapId: e.id,
          instance: e.instance,
          component: e.component,
          from: e.from,
          to: e.to,
          kind: 'journal',
          startedAt: Number.isNaN(parsed) ? 0 : parsed,
          state: e.outcome,
          phases,
          ...(e.phase === undefined ? {} : { refusedIn: e.phase }),
          totalUs: e.totalUs,
          pauseUs: e.pauseUs,
          held: e.held,
          blockers: e.blockers.map((b) => ({ kind: b.kind, message: b.message })),
        });
      }
      for (const r of past) byId.set(r.swapId, r);
      records.unshift(...past);
      while (records.length > limit) byId.delete(records.shift()!.swapId);
      if (past.length > 0) changed();
    },
    close: (): void => {
      swap.unsubscribe(swapHandlers);
      swapAll.unsubscribe(allHandlers);
      unsubscribe(ChannelNames.phase, onPhase);
    },
  };
}
