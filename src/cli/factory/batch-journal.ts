/**
 * @module cli/factory/batch-journal
 * The factory batch's record of its own progress, in its output directory (so that a
 * batch resumes): `batch.json` with the parameters every run must agree on, and
 * `progress.jsonl`, one line appended per step: `{"Made": i, …}` once device i's files are
 * written, `{"Published": i}` once the maker's service accepted its CatalogedPublication.
 * A rerun skips what the journal says is done. Appending keeps a run of N devices at O(N)
 * writes; a line cut short by a crash can only be the last one, and is ignored.
 */
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { writePrivateFileAtomic } from '../../platform/fs/atomic-write.js';
import type { LabelFormat } from '../../platform/label/device-label.js';
import { UsageError } from '../cli-errors.js';

export const BATCH_FILE = 'batch.json';
export const JOURNAL_FILE = 'progress.jsonl';
export const BATCH_FORMAT = 'mesh-factory-batch/1';
/** Index width in file names: fixed, so a rerun with a larger --count names files alike. */
export const INDEX_DIGITS = 6;
export const MAX_COUNT = 999_999;

export interface BatchParameters {
  readonly Format: typeof BATCH_FORMAT;
  readonly Maker: string;
  readonly Service: string;
  readonly Count: number;
  readonly Bits: number;
  readonly Description?: string;
  readonly LabelFormat: LabelFormat;
  readonly Created: string;
}

export interface MadeEntry {
  readonly Made: number;
  readonly DeviceUdf: string;
  readonly ConnectUri: string;
  readonly PublicationId: string;
}

export interface DeviceProgress {
  readonly made: MadeEntry;
  published: boolean;
}

export function indexName(index: number): string {
  return String(index).padStart(INDEX_DIGITS, '0');
}

/** The device files of index `i`, relative to the output directory. */
export function deviceFiles(index: number, labelFormat: LabelFormat) {
  const name = indexName(index);
  return {
    preconfiguration: join('devices', `${name}.medk`),
    record: join('records', `${name}.json`),
    publication: join('publications', `${name}.json`),
    label: join('labels', `${name}.${labelFormat}`),
  };
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Reads batch.json and checks a rerun asks for the same batch; writes the parameters of
 * this run. A mismatch is a UsageError naming the argument that differs.
 */
export async function openBatch(
  directory: string,
  wanted: Omit<BatchParameters, 'Format' | 'Created'>,
  now: Date,
): Promise<{ parameters: BatchParameters; resumed: boolean }> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  for (const sub of ['devices', 'records', 'publications', 'labels'])
    await mkdir(join(directory, sub), { recursive: true, mode: 0o700 });
  const text = await readOptional(join(directory, BATCH_FILE));
  let previous: BatchParameters | undefined;
  if (text !== undefined) {
    try {
      previous = JSON.parse(text) as BatchParameters;
    } catch {
      throw new UsageError(`${join(directory, BATCH_FILE)} is not JSON; is this a factory batch directory?`, '--out');
    }
    if (previous?.Format !== BATCH_FORMAT)
      throw new UsageError(`${join(directory, BATCH_FILE)} is not a ${BATCH_FORMAT} file`, '--out');
    const differs = (argument: string, what: string, was: unknown, now: unknown) =>
      new UsageError(
        `${directory} holds a batch with ${what} ${JSON.stringify(was)}, not ${JSON.stringify(now)} (use another --out)`,
        argument,
      );
    if (previous.Maker.toLowerCase() !== wanted.Maker.toLowerCase())
      throw differs('--maker', 'maker', previous.Maker, wanted.Maker);
    if (previous.Bits !== wanted.Bits) throw differs('--bits', 'ConnectKey bits', previous.Bits, wanted.Bits);
    if ((previous.Description ?? null) !== (wanted.Description ?? null))
      throw differs('--description', 'description', previous.Description ?? null, wanted.Description ?? null);
    if (previous.LabelFormat !== wanted.LabelFormat)
      throw differs('--format', 'label format', previous.LabelFormat, wanted.LabelFormat);
  }
  const parameters: BatchParameters = {
    Format: BATCH_FORMAT,
    ...wanted,
    ...(wanted.Description === undefined ? {} : { Description: wanted.Description }),
    Created: previous?.Created ?? now.toISOString(),
  };
  await writePrivateFileAtomic(
    join(directory, BATCH_FILE),
    new TextEncoder().encode(JSON.stringify(parameters, null, 2) + '\n'),
  );
  return { parameters, resumed: previous !== undefined };
}

/** What the journal says is done, by index. */
export async function readJournal(directory: string): Promise<Map<number, DeviceProgress>> {
  const progress = new Map<number, DeviceProgress>();
  const text = await readOptional(join(directory, JOURNAL_FILE));
  if (text === undefined) return progress;
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      // Only the last line can have been cut short by a crash.
      if (i === lines.length - 1 || (i === lines.length - 2 && lines[lines.length - 1] === '')) return;
      throw new UsageError(`${join(directory, JOURNAL_FILE)} line ${i + 1} is not JSON`, '--out');
    }
    if (typeof entry['Made'] === 'number') {
      const made = entry as unknown as MadeEntry;
      if (
        typeof made.DeviceUdf !== 'string' ||
        typeof made.ConnectUri !== 'string' ||
        typeof made.PublicationId !== 'string'
      ) {
        throw new UsageError(
          `${join(directory, JOURNAL_FILE)} line ${i + 1} lacks DeviceUdf, ConnectUri or PublicationId`,
          '--out',
        );
      }
      // A device made again (its files were lost) replaces the earlier entry, unpublished.
      progress.set(made.Made, { made, published: false });
    } else if (typeof entry['Published'] === 'number') {
      const p = progress.get(entry['Published']);
      if (p !== undefined) p.published = true;
    } else {
      throw new UsageError(
        `${join(directory, JOURNAL_FILE)} line ${i + 1} is neither a Made nor a Published entry`,
        '--out',
      );
    }
  });
  return progress;
}

/** Appends journal lines; `sync` makes what was appended durable. */
export class Journal {
  private constructor(private readonly handle: FileHandle) {}

  static async open(directory: string): Promise<Journal> {
    const path = join(directory, JOURNAL_FILE);
    // A line cut short by a crash is dropped, so the next entry starts a line of its own
    // (readJournal ignored it already: it was the last line).
    const text = await readOptional(path);
    if (text !== undefined && text !== '' && !text.endsWith('\n')) {
      const keep = Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1), 'utf8');
      const fix = await open(path, 'r+');
      try {
        await fix.truncate(keep);
        await fix.datasync();
      } finally {
        await fix.close();
      }
    }
    return new Journal(await open(path, 'a', 0o600));
  }

  async made(entry: MadeEntry): Promise<void> {
    await this.handle.write(JSON.stringify(entry) + '\n');
  }

  async published(index: number): Promise<void> {
    await this.handle.write(JSON.stringify({ Published: index }) + '\n');
  }

  async sync(): Promise<void> {
    await this.handle.datasync();
  }

  async close(): Promise<void> {
    await this.handle.datasync().catch(() => undefined);
    await this.handle.close();
  }
}
