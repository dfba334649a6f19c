import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { parseRegionStatus, RegionStatusError, type RegionStatus } from '../shared/region-status.js';

/** The repository's region data file, resolved from this module (works from any working directory). */
export const defaultRegionStatusPath: string = fileURLToPath(new URL('../data/region-status.yaml', import.meta.url));

/** Parses YAML text into validated region data; errors name `source` and each field path. */
export function parseRegionStatusYaml(text: string, source: string): RegionStatus {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new RegionStatusError(
      source,
      doc.errors.map((e) => {
        const at = e.linePos?.[0];
        return `${at ? `line ${at.line}, column ${at.col}` : '(yaml)'}: ${e.message.split('\n')[0] ?? e.message}`;
      }),
    );
  }
  return parseRegionStatus(doc.toJS(), source);
}

/** Loads and validates the region status file (default: data/region-status.yaml). */
export async function loadRegionStatus(path: string = defaultRegionStatusPath): Promise<RegionStatus> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new RegionStatusError(path, [`cannot read the file: ${(err as Error).message}`]);
  }
  return parseRegionStatusYaml(text, path);
}
