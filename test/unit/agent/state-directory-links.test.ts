/**
 * @module test/unit/agent/state-directory-links.test
 * The state directory never reads, writes or deletes through a symbolic link (docs/security.md
 * "The device's local surfaces"), on real files and links in a temp directory: a linked
 * `confirmations/` is refused and the canary in the directory it points at survives; a linked
 * `state.json`, `provisioning.json` or target of an atomic write is refused by name and the
 * file it points at is neither read nor changed; opening the store refuses any link in the
 * directory; state files that are not UTF-8 are refused with the offset.
 */
import { lstat, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateCorruptError } from '../../../src/agent/agent-errors.js';
import { writePrivateFileAtomic } from '../../../src/platform/fs/atomic-write.js';
import { SymbolicLinkRefusedError } from '../../../src/platform/fs/no-follow.js';
import { FileOverlayStore } from '../../../src/platform/serial/provisioning-overlay-file.js';
import { ConfirmationDirectory } from '../../../src/platform/state/confirmation-directory.js';
import { FileStateStore, readAgentState } from '../../../src/platform/state/file-state-store.js';

let root: string;
let state: string;
let outside: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mesh-links-'));
  state = join(root, 'state');
  outside = join(root, 'outside');
  await mkdir(state, { mode: 0o700 });
  await mkdir(outside, { mode: 0o700 });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function caught(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
}

function refusedLink(error: unknown, path: string): void {
  expect(error).toBeInstanceOf(SymbolicLinkRefusedError);
  expect((error as SymbolicLinkRefusedError).path).toBe(path);
  expect((error as Error).message).toBe(
    `${path} is a symbolic link; the state directory must not contain links (remove it and restart the agent)`,
  );
}

describe('the state directory refuses links', () => {
  it('a linked confirmations/ is refused by path; the canary it points at survives', async () => {
    const canary = join(outside, 'ABCDEFGH');
    await writeFile(canary, 'canary');
    await writeFile(join(outside, 'notes.txt'), 'keep me');
    const link = join(state, 'confirmations');
    await symlink(outside, link);
    const inbox = new ConfirmationDirectory(state);
    refusedLink(await caught(() => inbox.take()), link);
    expect(await readFile(canary, 'utf8')).toBe('canary');
    expect((await readdir(outside)).sort()).toEqual(['ABCDEFGH', 'notes.txt']);
    // The approve-claim side refuses too, writing nothing there.
    expect(await caught(() => inbox.put('ABCDEFGH'))).toBeInstanceOf(Error);
    expect((await readdir(outside)).sort()).toEqual(['ABCDEFGH', 'notes.txt']);
    // And the store will not open on such a directory.
    refusedLink(await caught(() => FileStateStore.open({ stateDirectory: state })), link);
  });

  it('a link inside confirmations/ is removed as a link; its target stays', async () => {
    const inbox = new ConfirmationDirectory(state);
    await inbox.put('ABCDEFGH');
    const target = join(outside, 'precious');
    await writeFile(target, 'precious');
    await symlink(target, join(inbox.directory, 'QRSTUVWX'));
    expect(await inbox.take()).toEqual(['ABCDEFGH', 'QRSTUVWX']);
    expect(await readdir(inbox.directory)).toEqual([]);
    expect(await readFile(target, 'utf8')).toBe('precious');
  });

  it('a linked state.json is refused when the store opens, when read, and when written; the target is untouched', async () => {
    const target = join(outside, 'state.json');
    await writeFile(target, '{"not":"the agent state"}');
    const link = join(state, 'state.json');
    await symlink(target, link);
    refusedLink(await caught(() => FileStateStore.open({ stateDirectory: state })), link);
    refusedLink(await caught(() => readAgentState(state)), link);
    refusedLink(await caught(() => writePrivateFileAtomic(link, new TextEncoder().encode('{}'))), link);
    expect(await readFile(target, 'utf8')).toBe('{"not":"the agent state"}');
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    // No temp file was left behind in the state directory.
    expect(await readdir(state)).toEqual(['state.json']);
  });

  it('a link put in place of the target during a write is refused at the rename, not replaced', async () => {
    const path = join(state, 'status.json');
    const target = join(outside, 'victim');
    await writeFile(target, 'victim');
    const error = await caught(() =>
      writePrivateFileAtomic(path, new TextEncoder().encode('new'), {
        beforeRename: async () => {
          await symlink(target, path);
        },
      }),
    );
    refusedLink(error, path);
    expect(await readFile(target, 'utf8')).toBe('victim');
    expect(await readdir(state)).toEqual(['status.json']);
  });

  it('a linked provisioning.json is refused and not read', async () => {
    const target = join(outside, 'overlay.json');
    await writeFile(target, '{}');
    const link = join(state, 'provisioning.json');
    await symlink(target, link);
    refusedLink(await caught(() => new FileOverlayStore(state).load()), link);
  });

  it('the store opens on a directory without links and reads what it wrote', async () => {
    await writeFile(join(outside, 'x'), 'x');
    const store = await FileStateStore.open({ stateDirectory: state });
    expect(await store.load()).toBeUndefined();
    expect(await readAgentState(state)).toBeUndefined();
  });

  it('a state file that is not UTF-8 is refused naming the file and the byte offset', async () => {
    const path = join(state, 'state.json');
    await writeFile(
      path,
      Buffer.concat([Buffer.from('{"Format":"x","owner":"al'), Buffer.from([0xff]), Buffer.from('ice"}')]),
      { mode: 0o600 },
    );
    const error = await caught(() => readAgentState(state));
    expect(error).toBeInstanceOf(StateCorruptError);
    expect((error as Error).message).toBe(`${path} is not UTF-8 text: an invalid byte sequence at byte offset 25`);
    const overlay = join(state, 'provisioning.json');
    await writeFile(overlay, Buffer.from([0x7b, 0xe2, 0x82, 0x7d]), { mode: 0o600 });
    expect(((await caught(() => new FileOverlayStore(state).load())) as Error).message).toBe(
      `${overlay} is not UTF-8 text: an invalid byte sequence at byte offset 1`,
    );
  });
});
