/**
 * Structured JSON logs, one object per line, so CloudWatch Logs Insights can filter on
 * `reference`, `objectKey` or `outcome` without parsing prose.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { readConfig } from './config.ts';

type Fields = Record<string, unknown>;
type Level = 'info' | 'warn' | 'error';

const rank: Record<Level, number> = { info: 0, warn: 1, error: 2 };
const threshold = rank[readConfig(['LOG_LEVEL']).LOG_LEVEL];

function write(level: Level, message: string, fields: Fields): void {
  if (rank[level] < threshold) return;
  const line = JSON.stringify(
    { level, at: new Date().toISOString(), message, ...fields },
    (_k, v) =>
      v instanceof Error
        ? { name: v.name, message: v.message, stack: v.stack && sourceStack(v.stack) }
        : v,
  );
  (level === 'info' ? process.stdout : process.stderr).write(`${line}\n`);
}

export const log = {
  info: (message: string, fields: Fields = {}) => write('info', message, fields),
  warn: (message: string, fields: Fields = {}) => write('warn', message, fields),
  error: (message: string, fields: Fields = {}) => write('error', message, fields),
};

/**
 * A handler's middleware that logs the error it fails with, then lets it fail (middy throws
 * it on): for the handlers with no failure of their own to log, so that every failure is
 * logged with its stack mapped to the sources (sourceStack below), not only printed by
 * Lambda's runtime with the bundle's positions.
 */
export const logsFailure = (what: string) => ({
  onError: ({ error }: { error: unknown }) => {
    log.error(`${what} failed`, { error });
  },
});

/**
 * The functions run minified and without --enable-source-maps, with which Node parses a
 * bundle's whole map as it loads it: about 40 ms of every cold start (npm run
 * bench:bundles), for the few invocations that log an error. So the map beside the bundle
 * is read here instead, once, on the first error logged, and every frame of a stack that
 * points into a bundle gets the source file, line and column it came from. A frame with no
 * map beside its file (local mode runs the sources) is left as it is.
 */
export function sourceStack(stack: string): string {
  try {
    return stack
      .split('\n')
      .map((line) =>
        /^\s+at /.test(line)
          ? line.replace(/[^\s()]+/g, (word) => word.replace(FRAME, fromSource))
          : line,
      )
      .join('\n');
  } catch {
    // Logging must not fail: a frame this cannot read (a malformed file URL) keeps the stack
    // as Node wrote it.
    return stack;
  }
}

/**
 * A frame's position in a bundle, as one word of an `at` line: anchored, so each word is
 * tried once, and a hostile message in the stack costs time linear in its length.
 */
const FRAME = /^((?:file:\/\/)?\/[^\s()]*\.mjs):(\d{1,9}):(\d{1,9})$/;

function fromSource(frame: string, file: string, line: string, column: string): string {
  const entry = mapOf(file.startsWith('file:') ? fileURLToPath(file) : file)?.findEntry(
    Number(line) - 1,
    Number(column) - 1,
  );
  if (!entry || !('originalSource' in entry)) return frame;
  // Sources are named relative to the bundle's build directory: from the project's root.
  const source = entry.originalSource.replace(/^(?:file:\/\/)?(?:\.\.\/)*/, '');
  return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
}

const maps = new Map<string, SourceMap | undefined>();
function mapOf(file: string): SourceMap | undefined {
  if (!maps.has(file)) {
    let map: SourceMap | undefined;
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    } catch {
      map = undefined;
    }
    maps.set(file, map);
  }
  return maps.get(file);
}
