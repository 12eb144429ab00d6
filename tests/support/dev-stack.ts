import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { freePort } from '../../infra/local/processes.ts';

/** A free port for each of the stack's listeners, as `npm run dev -- --<name>-port` takes them. */
export async function devPorts() {
  return {
    smtp: await freePort(),
    api: await freePort(),
    site: await freePort(),
    ses: await freePort(),
    dynamodb: await freePort(),
    s3: await freePort(),
  };
}

/**
 * Starts `npm run dev` as the README does, on the given ports and data directory, in a
 * process group of its own (so the whole stack can be signalled at once), logging to
 * `logFile`; resolves once it says it is running.
 */
export async function startDevStack(options: {
  ports: Record<string, number>;
  dataDir: string;
  logFile: string;
  env?: Record<string, string>;
}): Promise<ChildProcess> {
  const log = openSync(options.logFile, 'a');
  const child = spawn(
    'npm',
    [
      'run',
      'dev',
      '--',
      '--data-dir',
      options.dataDir,
      ...Object.entries(options.ports).flatMap(([name, port]) => [`--${name}-port`, String(port)]),
    ],
    { detached: true, stdio: ['ignore', log, log], env: { ...process.env, ...options.env } },
  );
  const deadline = Date.now() + 120_000;
  while (!readFileSync(options.logFile, 'utf8').includes('postroom is running locally')) {
    if (child.exitCode !== null)
      throw new Error(`npm run dev exited with ${child.exitCode}; see ${options.logFile}`);
    if (Date.now() > deadline)
      throw new Error(`npm run dev was not ready in 120 s; see ${options.logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return child;
}
