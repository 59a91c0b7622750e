import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, symlink, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Envelope, createEnvelope, createFileStore, isInstanceId, restoreFromStore, serializeEnvelope } from '../../src/index.ts';
import { DEFAULT_STALE_TEMP_MS, MAX_ENVELOPE_BYTES } from '../../src/store/file-store.ts';
import { CRASH_TEST_TIMEOUT_MS, KILLS, KILL_SEED, bundleWriter, runWriter } from '../_support/crash.ts';
import { prng } from '../_support/prng.ts';
import { driver } from '../fixtures/driver.ts';
import { busyDelay, tempDir, workedV1Snapshot } from './helpers.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

const envelope = (completed = 1): Envelope => {
  const s = workedV1Snapshot();
  return createEnvelope({
    component: 'driver',
    version: 1,
    snapshot: { ...s, context: { ...(s.context as object), completed } },
    timers: [busyDelay],
    savedAt: '2026-11-01T12:00:00.000Z',
  });
};

describe('createFileStore', () => {
  it('saves one readable JSON file per instance id and loads back an equal envelope', async () => {
    const store = createFileStore(join(dir, 'state'));
    const e = envelope();
    await store.save('driver-1', e);
    const text = await readFile(join(dir, 'state', 'driver-1.json'), 'utf8');
    expect(text).toBe(serializeEnvelope(e));
    expect(text).toContain('\n    "status": "active",\n');
    expect(await store.load('driver-1')).toEqual({ ok: true, envelope: e });
  });

  it('replaces an existing envelope entirely on save', async () => {
    const store = createFileStore(dir);
    await store.save('driver-1', envelope(1));
    await store.save('driver-1', envelope(7));
    const r = await store.load('driver-1');
    expect(r.ok && r.envelope.snapshot.context).toEqual({ queue: ['b', 'c'], completed: 7 });
  });

  it('lists saved ids sorted, ignoring temp files and other files, and removes them', async () => {
    const store = createFileStore(dir);
    expect(await createFileStore(join(dir, 'missing')).list()).toEqual([]);
    await store.save('b', envelope());
    await store.save('a', envelope());
    await writeFile(join(dir, '.a.123.tmp'), 'partial');
    await writeFile(join(dir, 'notes.txt'), 'x');
    expect(await store.list()).toEqual(['a', 'b']);
    expect(await store.remove('a')).toBe(true);
    expect(await store.remove('a')).toBe(false);
    expect(await store.list()).toEqual(['b']);
  });

  it('leaves no temp files after many concurrent saves, and the last file is a whole envelope', async () => {
    const store = createFileStore(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.save('driver-1', envelope(i))));
    expect(await readdir(dir)).toEqual(['driver-1.json']);
    const r = await store.load('driver-1');
    expect(r.ok).toBe(true);
  });

  it('cleans up its temp file and throws STORE_IO when the rename fails, keeping the directory as it was', async () => {
    const store = createFileStore(dir);
    await mkdir(join(dir, 'driver-1.json')); // rename of a file over a directory fails with EISDIR
    await expect(store.save('driver-1', envelope())).rejects.toMatchObject({ name: 'HotswapError', code: 'STORE_IO' });
    expect(await readdir(dir)).toEqual(['driver-1.json']);
  });

  it('reports a missing envelope as ENVELOPE_NOT_FOUND', async () => {
    const r = await createFileStore(dir).load('nobody');
    expect(r).toMatchObject({ ok: false, error: { code: 'ENVELOPE_NOT_FOUND', details: { id: 'nobody' } } });
  });

  it('reports a truncated or edited file on load with the envelope error code and the file path', async () => {
    const store = createFileStore(dir);
    const text = serializeEnvelope(envelope());
    await writeFile(join(dir, 'cut.json'), text.slice(0, 200));
    await writeFile(join(dir, 'edited.json'), text.replace('"completed": 1', '"completed": 2'));
    expect(await store.load('cut')).toMatchObject({ ok: false, error: { code: 'ENVELOPE_UNREADABLE', details: { path: join(dir, 'cut.json') } } });
    expect(await store.load('edited')).toMatchObject({ ok: false, error: { code: 'ENVELOPE_HASH_MISMATCH' } });
  });

  it('refuses to save a tampered envelope and writes nothing', async () => {
    const store = createFileStore(dir);
    const tampered = { ...envelope(), version: 2 } as Envelope;
    await expect(store.save('driver-1', tampered)).rejects.toMatchObject({ code: 'ENVELOPE_HASH_MISMATCH' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses path traversal and other unsafe instance ids', async () => {
    const store = createFileStore(join(dir, 'state'));
    const bad = ['../escape', 'a/b', 'a\\b', '', '.', '..', '.hidden', 'x'.repeat(129), 'nul\0byte', 'space id'];
    for (const id of bad) {
      expect(isInstanceId(id), id).toBe(false);
      await expect(store.save(id, envelope()), id).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(await store.load(id), id).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
      await expect(store.remove(id), id).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    expect(await readdir(dir)).toEqual([]);
    expect(['driver-1', 'a.b_c', 'X9', 'x'.repeat(128)].every(isInstanceId)).toBe(true);
  });

  it('refuses to load through a symlink, even to a valid envelope, and never quotes what it points to', async () => {
    const store = createFileStore(join(dir, 'state'));
    await store.save('real', envelope());
    await writeFile(join(dir, 'secret.txt'), 'root:x:0:0:TOP-SECRET\n');
    await symlink(join(dir, 'secret.txt'), join(dir, 'state', 'evil.json'));
    await symlink(join(dir, 'state', 'real.json'), join(dir, 'state', 'alias.json'));
    for (const id of ['evil', 'alias']) {
      const r = await store.load(id);
      expect(r, id).toMatchObject({ ok: false, error: { code: 'ENVELOPE_UNREADABLE', details: { id, reason: 'symlink' } } });
      expect(JSON.stringify(r), id).not.toMatch(/root|TOP-SECRET/);
    }
    const restored = await restoreFromStore(store, 'evil', driver);
    expect(restored).toMatchObject({ ok: false, error: { code: 'ENVELOPE_UNREADABLE' } });
  });

  it('never quotes the file in the message of an unparsable envelope', async () => {
    const store = createFileStore(dir);
    await writeFile(join(dir, 'junk.json'), 'password=hunter2');
    const r = await store.load('junk');
    expect(r).toMatchObject({ ok: false, error: { code: 'ENVELOPE_UNREADABLE', details: { id: 'junk', length: 16 } } });
    expect(JSON.stringify(r)).not.toMatch(/password|hunter2/);
    // nor state held by a field of the wrong shape
    const e = JSON.parse(serializeEnvelope(envelope()));
    e.snapshot = { secret: 'hunter2' };
    await writeFile(join(dir, 'shape.json'), JSON.stringify(e));
    const shape = await store.load('shape');
    expect(shape).toMatchObject({ ok: false, error: { code: 'ENVELOPE_INVALID', details: { field: 'snapshot' } } });
    expect(JSON.stringify(shape)).not.toContain('hunter2');
  });

  it('lists only regular files: no dangling or other symlinks, no directories', async () => {
    const store = createFileStore(dir);
    await store.save('real', envelope());
    await symlink(join(dir, 'nowhere.json'), join(dir, 'dangling.json'));
    await symlink(join(dir, 'real.json'), join(dir, 'alias.json'));
    await mkdir(join(dir, 'folder.json'));
    expect(await store.list()).toEqual(['real']);
  });

  it('refuses a file over the size limit before reading it', async () => {
    const store = createFileStore(dir);
    const path = join(dir, 'huge.json');
    await writeFile(path, '');
    await truncate(path, MAX_ENVELOPE_BYTES + 1); // sparse: no disk used, and load must not read it
    const r = await store.load('huge');
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'ENVELOPE_UNREADABLE', details: { id: 'huge', reason: 'too-large', size: MAX_ENVELOPE_BYTES + 1, limit: MAX_ENVELOPE_BYTES } },
    });
  });

  it('loads a 6 KB file nested 3,000 deep as a typed ENVELOPE_INVALID refusal, and restoreFromStore too', async () => {
    const store = createFileStore(dir);
    const deep = `${'['.repeat(3_000)}0${']'.repeat(3_000)}`;
    await writeFile(join(dir, 'deep.json'), serializeEnvelope(envelope()).replace('"completed": 1', `"completed": 1, "d": ${deep}`));
    expect(await store.load('deep')).toMatchObject({ ok: false, error: { code: 'ENVELOPE_INVALID', details: { id: 'deep', maxDepth: 512 } } });
    expect(await restoreFromStore(store, 'deep', driver)).toMatchObject({ ok: false, error: { code: 'ENVELOPE_INVALID' } });
  });
});

/** A temp file name as a save makes it: `.<id>.<pid>.<uuid>.tmp`. */
const TEMP = /^\.[A-Za-z0-9][\w.-]*\.\d+\.[0-9a-f-]{36}\.tmp$/;
const temps = (dir: string): string[] => readdirSync(dir).filter((n) => TEMP.test(n));
/** Sets a file's modification time `ms` into the past, as if it had been left there that long ago. */
const age = (path: string, ms: number): Promise<void> => utimes(path, new Date(Date.now() - ms), new Date(Date.now() - ms));

describe('createFileStore: temp files of killed saves', () => {
  it('sweeps its temp files older than staleTempMs at the first save; keeps young ones and files it did not name', async () => {
    const store = createFileStore(dir);
    const old = [`.a.4242.${randomUUID()}.tmp`, `.driver-1.1.${randomUUID()}.tmp`];
    const young = `.a.4243.${randomUUID()}.tmp`; // another process may be writing it now
    const foreign = ['.a.123.tmp', 'notes.tmp', `..a.1.${randomUUID()}.tmp`, 'a.json.tmp'];
    for (const name of [...old, young, ...foreign]) await writeFile(join(dir, name), 'partial');
    await mkdir(join(dir, `.b.7.${randomUUID()}.tmp`));
    for (const name of [...old, ...foreign]) await age(join(dir, name), DEFAULT_STALE_TEMP_MS + 5_000);
    await store.save('x', envelope());
    const left = await readdir(dir);
    expect(old.filter((n) => left.includes(n))).toEqual([]);
    expect(left.filter((n) => !n.startsWith('.b.')).sort()).toEqual([young, ...foreign, 'x.json'].sort());
    expect(await store.list()).toEqual(['x']);
  });

  it('sweeps again on a later save once staleTempMs has passed since the last sweep, not before', async () => {
    const store = createFileStore(dir, { staleTempMs: 200 });
    await store.save('x', envelope());
    const name = `.x.99.${randomUUID()}.tmp`;
    await writeFile(join(dir, name), 'partial');
    await age(join(dir, name), 10_000);
    await store.save('x', envelope(2));
    expect(temps(dir)).toEqual([name]); // the last sweep was moments ago
    await new Promise((r) => setTimeout(r, 250));
    await store.save('x', envelope(3));
    expect(temps(dir)).toEqual([]);
  });

  it('never sweeps a temp file a save of this process is writing, whatever staleTempMs', async () => {
    const a = createFileStore(dir, { staleTempMs: 0 });
    const b = createFileStore(dir, { staleTempMs: 0 }); // sweeps at every save
    const big = (n: number): Envelope => createEnvelope({ ...envelope(n), snapshot: { ...envelope(n).snapshot, context: { completed: n, pad: 'x'.repeat(1_000_000) } } });
    let writing = true;
    let sweeps = 0;
    // big saves go on until the other store has swept at least 9 times meanwhile (a loaded machine is slower to sweep)
    const bigSaves = (async () => {
      try {
        for (let i = 0; i < 8 || sweeps < 9; i++) await a.save('big', big(i));
      } finally {
        writing = false;
      }
    })();
    for (; writing || sweeps === 0; sweeps++) await b.save('small', envelope(sweeps));
    await expect(bigSaves).resolves.toBeUndefined();
    expect(sweeps).toBeGreaterThan(8);
    expect(temps(dir)).toEqual([]);
  });

  it('refuses a staleTempMs that is not a non-negative finite number', () => {
    for (const bad of [-1, Number.NaN, Infinity, '5' as unknown as number]) {
      expect(() => createFileStore(dir, { staleTempMs: bad }), String(bad)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', message: `Expected \`staleTempMs\` to be a non-negative finite number, got \`${String(bad)}\`` }),
      );
    }
  });
});

describe('createFileStore under SIGKILL', () => {
  let writer: string;
  beforeAll(async () => void (writer = await bundleWriter(fileURLToPath(new URL('./_store-writer.ts', import.meta.url)))));
  afterAll(() => rm(join(writer, '..'), { recursive: true, force: true }));

  it(`keeps every acknowledged save through ${KILLS} or more kills of writers at random points (seed ${KILL_SEED}), and the next process sweeps their temp files`, async () => {
    const random = prng(KILL_SEED);
    const acked = new Map<string, number>(); // id → the highest n a resolved save wrote
    let leftBehind = 0;
    // kills go on (up to 3× as many) until one left a temp file behind
    let k = 0;
    for (; k < KILLS || (leftBehind === 0 && k < 3 * KILLS); k++) {
      const before = new Set(temps(dir));
      // half the kills at a random moment, half aimed at a save between creating its temp file and the rename
      const run = await runWriter(writer, [dir, String(k * 10_000), String(KILL_SEED + k)], {
        afterLines: 1 + Math.floor(random() * 2),
        afterMs: Math.floor(random() * 30),
        ...(k % 2 === 1 ? { when: () => temps(dir).some((n) => !before.has(n)) } : {}),
      });
      expect(run, run.stderr).toMatchObject({ killed: true });
      for (const line of run.lines) {
        const [id, n] = line.split(' ');
        acked.set(id!, Math.max(acked.get(id!) ?? -1, Number(n)));
      }
      leftBehind = temps(dir).length;
      // every envelope on disk is whole, and holds the last acknowledged save or a later one
      const store = createFileStore(dir);
      for (const [id, n] of acked) {
        const r = await store.load(id);
        expect(r.ok, `${id} after kill ${k}`).toBe(true);
        expect(r.ok && (r.envelope.snapshot.context as { n: number }).n, `${id} after kill ${k}`).toBeGreaterThanOrEqual(n);
      }
    }
    expect(leftBehind).toBeGreaterThan(0);

    // young leftovers stay (their writer could still be alive) …
    const left = temps(dir);
    const next = await runWriter(writer, [dir, String(k * 10_000), '1', '1'], { afterLines: Infinity, afterMs: 0 });
    expect(next).toMatchObject({ killed: false, code: 0 });
    expect(temps(dir)).toEqual(left);
    // … and once older than staleTempMs, the next process's first save removes them all
    for (const name of left) await age(join(dir, name), DEFAULT_STALE_TEMP_MS + 1_000);
    const last = await runWriter(writer, [dir, String((k + 1) * 10_000), '1', '1'], { afterLines: Infinity, afterMs: 0 });
    expect(last).toMatchObject({ killed: false, code: 0 });
    expect(temps(dir)).toEqual([]);
    expect(await createFileStore(dir).list()).toEqual([...acked.keys()].sort());
    console.info(`store crash test: ${k} kills, ${[...acked.values()].length} ids, ${left.length} temp files left behind, all swept once stale`);
  }, CRASH_TEST_TIMEOUT_MS);

  it('two processes saving into one directory at once never sweep each other\'s temp files', async () => {
    const runs = await Promise.all([0, 1].map((w) => runWriter(writer, [dir, String(w * 10_000), String(KILL_SEED + w), '15'], { afterLines: Infinity, afterMs: 0 })));
    for (const run of runs) expect(run, run.stderr).toMatchObject({ killed: false, code: 0, lines: expect.arrayContaining([]) });
    expect(runs.map((r) => r.lines.length)).toEqual([15, 15]);
    expect(temps(dir)).toEqual([]);
    const store = createFileStore(dir);
    for (const id of ['a', 'b', 'c']) expect((await store.load(id)).ok, id).toBe(true);
  });
});
