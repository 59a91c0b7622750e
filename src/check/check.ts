/**
 * `hotswap check` as a function: sample reachable states of every version with the testing kit, check
 * every link up and down, and summarize.
 */
import { type AnyStateMachine, initialTransition } from 'xstate';
import { HotswapError, describeError } from '../errors.ts';
import type { AnyLineage } from '../lineage/lineage.ts';
import type { AnyVersion } from '../lineage/types.ts';
import fc from 'fast-check';
import { eventTypesOf, sampleReachable } from '../testing/reachable.ts';
import type { CheckSample } from './_internal/samples.ts';
import { type CheckConfig, type ComponentEvents, eventsFor, isArbitrary } from './config.ts';
import { checkLink } from './link.ts';
import { summarize } from './scores.ts';
import type { CheckReport, CheckSettings, LinkReport } from './types.ts';

/** Default fast-check runs per version. */
export const DEFAULT_RUNS = 200;
/** Default seed: fixed, so the same lineage gives the same report everywhere. */
export const DEFAULT_SEED = 20261121;
/** The seeds fast-check tells apart: 32-bit signed integers (it prints failing seeds in this range). */
export const SEED_MIN = -(2 ** 31);
/** See {@link SEED_MIN}. */
export const SEED_MAX = 2 ** 31 - 1;
/** Default longest event sequence. */
export const DEFAULT_MAX_EVENTS = 20;

/** Options of {@link checkLineages}. */
export interface CheckOptions {
  /** @defaultValue {@link DEFAULT_RUNS} */
  readonly runs?: number;
  /** @defaultValue {@link DEFAULT_SEED} */
  readonly seed?: number;
  /** Event arbitraries and sequence length, usually the module's `hotswapCheck` export. */
  readonly config?: CheckConfig;
  /**
   * Check only each lineage's newest link (the one a plugin just added), sampling only its two versions.
   * @defaultValue false: every link
   */
  readonly newestOnly?: boolean;
}

/**
 * Checks every link of every lineage, up and down, from sampled reachable states.
 * Throws a {@link HotswapError} (`CHECK_SAMPLING_FAILED`) when a version's machine cannot even be run.
 *
 * @example
 * const report = checkLineages([driver], { runs: 200, seed: 1 });
 * if (report.summary.unsafe > 0) process.exitCode = 1;
 */
export function checkLineages(lineages: readonly AnyLineage[], options: CheckOptions = {}): CheckReport {
  const settings: CheckSettings = {
    runs: options.runs ?? DEFAULT_RUNS,
    seed: options.seed ?? DEFAULT_SEED,
    maxEvents: options.config?.maxEvents ?? DEFAULT_MAX_EVENTS,
  };
  for (const [name, n] of [['runs', settings.runs], ['maxEvents', settings.maxEvents]] as const) {
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new HotswapError('INVALID_ARGUMENT', `Expected \`${name}\` to be a positive integer, got \`${String(n)}\``);
    }
  }
  if (!Number.isInteger(settings.seed) || settings.seed < SEED_MIN || settings.seed > SEED_MAX) {
    // fast-check keeps 32 bits of a seed: any other would silently run as another seed.
    throw new HotswapError('INVALID_ARGUMENT', `Expected \`seed\` to be an integer from ${SEED_MIN} to ${SEED_MAX}, got \`${String(settings.seed)}\``);
  }
  const links: LinkReport[] = [];
  for (const l of lineages) {
    // A lineage of one version has no link to sample for; its machine must still start.
    if (l.versions.length === 1) assertStarts(l.name, l.versions[0]!);
    const samples = new Map<number, CheckSample[]>();
    const of = (v: AnyVersion): CheckSample[] => {
      let s = samples.get(v.version);
      if (s === undefined) samples.set(v.version, (s = sample(l.name, v, settings, options.config)));
      return s;
    };
    const first = options.newestOnly === true ? Math.max(0, l.versions.length - 2) : 0;
    for (let i = first; i + 1 < l.versions.length; i++) {
      const older = l.versions[i]!;
      const newer = l.versions[i + 1]!;
      links.push(...checkLink(l, older.version, { older: of(older), newer: of(newer) }));
    }
  }
  const warnings = configWarnings(lineages, options.config, settings.seed);
  return { settings, links, summary: summarize(links), ...(warnings.length === 0 ? {} : { warnings }) };
}

/** Events given for a component or a version the module does not export: they would silently go unused. */
function configWarnings(lineages: readonly AnyLineage[], config: CheckConfig | undefined, seed: number): string[] {
  const warnings: string[] = [];
  const events = config?.events;
  if (events === undefined) return warnings;
  const names = lineages.map((l) => l.name);
  for (const component of Object.keys(events)) {
    const l = lineages.find((x) => x.name === component);
    if (l === undefined) {
      warnings.push(`hotswapCheck.events.${component} names no exported component (exported: ${names.join(', ')}); its events are unused`);
      continue;
    }
    const given = events[component];
    if (given === undefined) continue;
    warnings.push(...unknownEventTypes(l, component, given, seed));
    if (isArbitrary(given)) continue;
    const known = l.versions.map((v) => v.version);
    for (const key of Object.keys(given)) {
      if (!known.includes(Number(key))) {
        warnings.push(`hotswapCheck.events.${component}.${key} names no version of ${component} (versions: ${known.join(', ')}); its events are unused`);
      }
    }
  }
  return warnings;
}

/**
 * Events the config gives that no version of the component accepts (a typo such as `'SETT'`): the type
 * system catches them with `defineCheckConfig`; this catches them in plain JavaScript modules, from a
 * fixed-seed sample of each arbitrary.
 */
function unknownEventTypes(l: AnyLineage, component: string, given: ComponentEvents, seed: number): string[] {
  // A wildcard transition (`'*'`, `'a.*'`) accepts types no list can name: then nothing is unknown.
  const wildcard = l.versions.some((v) => ((v.machine as AnyStateMachine).events as readonly unknown[]).some((t) => typeof t === 'string' && (t === '*' || t.endsWith('.*'))));
  if (wildcard) return [];
  const accepted = new Set(l.versions.flatMap((v) => eventTypesOf(v.machine as AnyStateMachine)));
  const arbitraries = isArbitrary(given) ? [given] : Object.values(given).filter(isArbitrary);
  const unknown = new Set<string>();
  for (const arbitrary of arbitraries) {
    for (const event of fc.sample(arbitrary, { numRuns: 50, seed })) {
      const type = (event as { type?: unknown } | null)?.type;
      if (typeof type !== 'string' || !accepted.has(type)) unknown.add(String(type));
    }
  }
  return [...unknown].map(
    (type) => `hotswapCheck.events.${component} produces '${type}', which no version of ${component} accepts (${[...accepted].sort().join(', ')}); such events change nothing`,
  );
}

function sample(component: string, version: AnyVersion, settings: CheckSettings, config: CheckConfig | undefined): CheckSample[] {
  const events = eventsFor(config, component, version.version);
  assertStarts(component, version);
  try {
    return sampleReachable(version, {
      runs: settings.runs,
      seed: settings.seed,
      maxEvents: settings.maxEvents,
      ...(events === undefined ? {} : { events }),
    }) as CheckSample[];
  } catch (error) {
    throw samplingFailed(component, version.version, error);
  }
}

/** Throws `CHECK_SAMPLING_FAILED` unless the version's machine reaches its initial state. */
function assertStarts(component: string, version: AnyVersion): void {
  // XState reports a failing start as an `error` snapshot, not a throw: a version that cannot even reach
  // its initial state gives no evidence at all.
  let initial: { status: string; error?: unknown };
  try {
    [initial] = initialTransition(version.machine as AnyStateMachine);
  } catch (error) {
    throw samplingFailed(component, version.version, error);
  }
  if (initial.status === 'error') throw samplingFailed(component, version.version, initial.error);
}

function samplingFailed(component: string, version: number, error: unknown): HotswapError {
  const e = describeError(error);
  return new HotswapError('CHECK_SAMPLING_FAILED', `Could not start ${component}@${version}'s machine: ${e.name}: ${e.message}`, {
    cause: error,
    details: { component, version },
  });
}
