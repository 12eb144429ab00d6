import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

/**
 * The local cloud's small state files (stream checkpoints, the process list). Written to
 * a temporary file and renamed over the old one, so a process killed mid-write leaves
 * either the old content or the new, never half of one. (A rename is atomic within a
 * folder; durability across a power cut would also need an fsync, which local mode skips.)
 */
export function writeStateFile(path: string, value: unknown): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value)}\n`);
  renameSync(temporary, path);
}

/**
 * The parsed file; undefined when there is none. Throws when it exists but is not JSON,
 * so the caller decides what a damaged file means.
 */
export function readStateFile(path: string): unknown {
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8'));
}
