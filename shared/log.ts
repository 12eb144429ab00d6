/**
 * Structured JSON logs, one object per line, so CloudWatch Logs Insights can filter on
 * `reference`, `objectKey` or `outcome` without parsing prose.
 */
import { readConfig } from './config.ts';

type Fields = Record<string, unknown>;
type Level = 'info' | 'warn' | 'error';

const rank: Record<Level, number> = { info: 0, warn: 1, error: 2 };
const threshold = rank[readConfig(['LOG_LEVEL']).LOG_LEVEL];

function write(level: Level, message: string, fields: Fields): void {
  if (rank[level] < threshold) return;
  const line = JSON.stringify(
    { level, at: new Date().toISOString(), message, ...fields },
    (_k, v) => (v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : v),
  );
  (level === 'info' ? process.stdout : process.stderr).write(`${line}\n`);
}

export const log = {
  info: (message: string, fields: Fields = {}) => write('info', message, fields),
  warn: (message: string, fields: Fields = {}) => write('warn', message, fields),
  error: (message: string, fields: Fields = {}) => write('error', message, fields),
};
