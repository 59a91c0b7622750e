import { mkdir, readFile, readdir, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Envelope, createEnvelope, createFileStore, isInstanceId, restoreFromStore, serializeEnvelope } from '../../src/index.ts';
import { MAX_ENVELOPE_BYTES } from '../../src/store/file-store.ts';
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
