import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/**
 * s3rver keeps each object as three files: `<key>._S3rver_object`, its `.md5`, and
 * `<key>._S3rver_metadata.json`, written one after another, the last one truncated then
 * rewritten. A SIGKILL in between leaves an upload cut off: a metadata file that is empty
 * (after which s3rver answers every ListObjects of that bucket with a 500), or no metadata,
 * or bytes that do not match the md5. S3 never shows a PUT that did not complete, so
 * after a run that was killed such uploads are moved out of the emulator's folder, into
 * `aside` (nothing is deleted). Only files written since `since` are looked at.
 */
export function setAsideCutOffUploads(s3Dir: string, aside: string, since: number): string[] {
  const objectSuffix = '._S3rver_object';
  const movedAside: string[] = [];
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
    );
  if (!existsSync(s3Dir)) return movedAside;
  for (const file of walk(s3Dir)) {
    if (!file.endsWith(objectSuffix)) continue;
    const base = file.slice(0, -objectSuffix.length);
    const parts = [file, `${file}.md5`, `${base}._S3rver_metadata.json`];
    if (parts.every((part) => !existsSync(part) || statSync(part).mtimeMs < since)) continue;
    if (isComplete(file, `${file}.md5`, `${base}._S3rver_metadata.json`)) continue;
    for (const part of parts.filter(existsSync)) {
      const target = join(aside, relative(s3Dir, part));
      mkdirSync(dirname(target), { recursive: true });
      renameSync(part, target);
    }
    movedAside.push(relative(s3Dir, base));
  }
  return movedAside;
}

function isComplete(object: string, md5File: string, metadata: string): boolean {
  try {
    JSON.parse(readFileSync(metadata, 'utf8'));
    const md5 = readFileSync(md5File, 'utf8').trim();
    return createHash('md5').update(readFileSync(object)).digest('hex') === md5;
  } catch {
    return false;
  }
}
