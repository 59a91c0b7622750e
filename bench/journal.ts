/**
 * `npm run bench:journal`: what `FileJournal`'s opt-in `{ fsync: true }` costs. Appends real journal
 * entries (a committed swap's report, ~0.6 KB) one after another, each awaited as the runtime does,
 * against a baseline measured in the same run: a bare `fs.appendFile` of the same line (what
 * `FileJournal` did before it repaired torn tails). Modes alternate in short blocks, so a busy
 * machine slows all of them together. Prints a table and writes flat JSON to
 * `bench/results/journal.json` (or `--out <file>`). Not part of `npm run bench`: the fsync side
 * depends on the disk, not on hotswap.
 *
 * The files go in `--dir` (default `.hotswap/bench-journal`, on the disk the project is on; a tmpfs
 * `/tmp` would make fsync free and the figure meaningless).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRuntime, FileJournal, type JournalEntry } from 'hotswap';
import { jobLineage } from './_internal/machines.ts';
import { round, runMeta, summarize, type Summary } from './_internal/stats.ts';
import { table, us } from './_internal/table.ts';

const { values: args } = parseArgs({
  options: { out: { type: 'string' }, dir: { type: 'string' }, rounds: { type: 'string', default: '6' }, 'block-ms': { type: 'string', default: '400' } },
  allowPositionals: false,
});
const here = dirname(fileURLToPath(import.meta.url));
const outFile = resolve(args.out ?? `${here}/results/journal.json`);
const dir = resolve(args.dir ?? '.hotswap/bench-journal');
const rounds = Number(args.rounds);
const blockMs = Number(args['block-ms']);
const load = loadavg()[0]!;

// A real entry: what the runtime appends for one committed swap.
const entries: JournalEntry[] = [];
const runtime = createRuntime({ journal: { append: (e) => void entries.push(e), entries: () => entries } });
const component = runtime.start(jobLineage, { version: 1, input: {} });
if ((await component.swap(2)).outcome !== 'committed') throw new Error('bench: the sample swap did not commit');
await component.stop();
const entry = entries[0]!;
const line = `${JSON.stringify(entry)}\n`;

type Mode = 'appendFile' | 'journal' | 'journal_fsync';
const modes: readonly Mode[] = ['appendFile', 'journal', 'journal_fsync'];
const samples: Record<Mode, number[]> = { appendFile: [], journal: [], journal_fsync: [] };
const elapsed: Record<Mode, number> = { appendFile: 0, journal: 0, journal_fsync: 0 };

rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const journals = { journal: new FileJournal(join(dir, 'plain.jsonl')), journal_fsync: new FileJournal(join(dir, 'fsync.jsonl'), { fsync: true }) };
const append = (mode: Mode): Promise<void> => (mode === 'appendFile' ? appendFile(join(dir, 'raw.jsonl'), line, 'utf8') : journals[mode].append(entry));

process.stderr.write(`bench journal: ${rounds} rounds × ${modes.length} modes × ${blockMs} ms, entry ${Buffer.byteLength(line)} bytes, in ${dir}\n`);
for (const mode of modes) for (let i = 0; i < 20; i++) await append(mode); // warm-up, and the first append's repair check
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? modes : [...modes].reverse();
  for (const mode of order) {
    const start = performance.now();
    const until = start + blockMs;
    for (let t = start; t < until; ) {
      await append(mode);
      const now = performance.now();
      samples[mode].push((now - t) * 1000);
      t = now;
    }
    elapsed[mode] += performance.now() - start;
  }
}
rmSync(dir, { recursive: true, force: true });

const stats = Object.fromEntries(modes.map((m) => [m, summarize(samples[m])])) as Record<Mode, Summary>;
const perS = (m: Mode): number => Math.round(samples[m].length / (elapsed[m] / 1000));
const results: Record<string, number | string> = {
  ...runMeta(load),
  'journal.entry_bytes': Buffer.byteLength(line),
};
for (const m of modes) {
  results[`journal.${m}.appends_per_s`] = perS(m);
  results[`journal.${m}.p50_us`] = round(stats[m].p50);
  results[`journal.${m}.p99_us`] = round(stats[m].p99);
  results[`journal.${m}.samples`] = stats[m].n;
}
results['journal.ratio_vs_appendFile'] = round(perS('journal') / perS('appendFile'), 3);
results['journal.fsync_slowdown'] = round(perS('journal') / perS('journal_fsync'), 1);
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);

const rows = modes.map((m) => [m === 'appendFile' ? 'fs.appendFile (baseline)' : m === 'journal' ? 'FileJournal' : 'FileJournal { fsync: true }', `${perS(m).toLocaleString('en')}/s`, us(stats[m].p50), us(stats[m].p99), String(stats[m].n)]);
process.stdout.write(
  [
    '',
    `hotswap journal bench — node ${process.version}, ${cpus().length} cpus, load ${load.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}, entry ${Buffer.byteLength(line)} bytes`,
    '',
    table(['append, awaited one at a time', 'rate', 'p50', 'p99', 'samples'], rows),
    '',
    `FileJournal ÷ appendFile: ${results['journal.ratio_vs_appendFile']}; fsync costs ${results['journal.fsync_slowdown']}× fewer appends per second`,
    `written: ${outFile}`,
    '',
  ].join('\n'),
);
