import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import middy from '@middy/core';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { logsFailure, sourceStack } from '../../shared/log.ts';

/**
 * Functions run minified without --enable-source-maps (it costs every cold start); the
 * logger maps a logged error's stack through the map beside the bundle instead. Built here
 * as a function is built (ESM, minified, a map of positions only) and run in plain Node.
 */
const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'postroom-log-maps-'));
const bundle = join(dir, 'index.mjs');

beforeAll(async () => {
  const entry = join(dir, 'entry.ts');
  writeFileSync(
    entry,
    `import { readConfig } from ${JSON.stringify(join(projectRoot, 'shared/config.ts'))};
import { log } from ${JSON.stringify(join(projectRoot, 'shared/log.ts'))};
try { readConfig(['TABLE_NAME'], {}); } catch (error) { log.error('could not start', { error }); }
`,
  );
  await build({
    entryPoints: [entry],
    outfile: bundle,
    bundle: true,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    format: 'esm',
    platform: 'node',
    logLevel: 'silent',
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const loggedStack = () => {
  const run = spawnSync(process.execPath, [bundle], { encoding: 'utf8', env: { PATH: '' } });
  return JSON.parse(run.stderr.trim().split('\n').at(-1) ?? '{}').error?.stack as string;
};

describe('a logged error from a bundle', () => {
  it('names the source file, line and column each frame came from', () => {
    const stack = loggedStack();
    expect(stack).toMatch(/^ConfigError: /);
    // readConfig throws: the first frame is in shared/config.ts, not at index.mjs:1:<n>.
    const frames = stack.split('\n').filter((line) => line.trim().startsWith('at '));
    expect(frames[0]).toMatch(/shared\/config\.ts:\d+:\d+/);
    expect(stack).not.toMatch(/index\.mjs:\d+:\d+/);
  });

  it('reads a hostile stack in time linear in its length, and never throws', () => {
    const slashes = '/'.repeat(200_000);
    const hostile = `Error: ${slashes}\n    at f (${slashes}x.mjs:1:2)\n    at g (file:///a%2Fb.mjs:1:1)`;
    expect(sourceStack(hostile)).toBe(hostile);
  });

  it('is left as it is where there is no map beside the file', () => {
    const stack =
      'Error: x\n    at f (file:///var/task/elsewhere.mjs:1:2048)\n    at g (node:internal/x:3:4)';
    expect(sourceStack(stack)).toBe(stack);
  });
});

describe('a handler that fails', () => {
  it('logs the error, then fails with it, so the trigger still retries', async () => {
    const written = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const handler = middy()
        .use(logsFailure('the sweep'))
        .handler(async () => {
          throw new Error('the table is unreachable');
        });
      await expect(handler({}, {} as never)).rejects.toThrow('the table is unreachable');
      const line = JSON.parse(String(written.mock.calls.at(-1)?.[0]));
      expect(line).toMatchObject({
        level: 'error',
        message: 'the sweep failed',
        error: { name: 'Error', message: 'the table is unreachable' },
      });
    } finally {
      written.mockRestore();
    }
  });
});
