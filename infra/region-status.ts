import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseRegionStatus, RegionStatusError, type RegionStatus } from '../shared/region-status.js';
import { parseStrictYaml } from './yaml.js';

/** The repository's region data file, resolved from this module (works from any working directory). */
export const defaultRegionStatusPath: string = fileURLToPath(new URL('../data/region-status.yaml', import.meta.url));

/** Parses YAML text into validated region data; errors name `source` and each field path. */
export function parseRegionStatusYaml(text: string, source: string): RegionStatus {
  return parseRegionStatus(
    parseStrictYaml(text, (problems) => new RegionStatusError(source, problems)),
    source,
  );
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
