/**
 * @module cli/factory/batch-manifest
 * The batch's manifest: one line per device, as CSV for a spreadsheet or a
 * label printer's merge and as JSON for scripts, with the index, the device fingerprint,
 * the ConnectUri, the PublicationId, whether the maker's service holds the publication,
 * and the device's files (relative to the output directory). It holds every ConnectUri,
 * so it is written 0600 like the rest of the maker's records.
 */
import { join } from 'node:path';
import { writePrivateFileAtomic } from '../../platform/fs/atomic-write.js';

export const MANIFEST_CSV = 'manifest.csv';
export const MANIFEST_JSON = 'manifest.json';
export const MANIFEST_FORMAT = 'mesh-factory-manifest/1';

export interface ManifestLine {
  readonly index: number;
  readonly deviceUdf: string;
  readonly connectUri: string;
  readonly publicationId: string;
  readonly published: boolean;
  readonly preconfiguration: string;
  readonly record: string;
  readonly publication: string;
  readonly label: string;
}

export const CSV_COLUMNS = [
  'index',
  'device_udf',
  'connect_uri',
  'publication_id',
  'published',
  'preconfiguration',
  'record',
  'publication',
  'label',
] as const;

function csvField(value: string | number | boolean): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function manifestCsv(lines: readonly ManifestLine[]): string {
  const rows = lines.map((l) =>
    [
      l.index,
      l.deviceUdf,
      l.connectUri,
      l.publicationId,
      l.published,
      l.preconfiguration,
      l.record,
      l.publication,
      l.label,
    ]
      .map(csvField)
      .join(','),
  );
  return [CSV_COLUMNS.join(','), ...rows].join('\n') + '\n';
}

export async function writeManifest(
  directory: string,
  header: { readonly maker: string; readonly service: string; readonly labelFormat: string },
  lines: readonly ManifestLine[],
): Promise<{ csv: string; json: string }> {
  const csv = join(directory, MANIFEST_CSV);
  const json = join(directory, MANIFEST_JSON);
  const encoder = new TextEncoder();
  await writePrivateFileAtomic(csv, encoder.encode(manifestCsv(lines)));
  await writePrivateFileAtomic(
    json,
    encoder.encode(JSON.stringify({ format: MANIFEST_FORMAT, ...header, devices: lines }, null, 1) + '\n'),
  );
  return { csv, json };
}
