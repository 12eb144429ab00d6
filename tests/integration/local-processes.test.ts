import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  commandLineOf,
  freePort,
  portIsOpen,
  processRegistry,
} from '../../infra/local/processes.ts';

/**
 * A local cloud killed with SIGKILL must not leave emulators holding their ports: children
 * die with the runner (Linux), and the next start stops any listed leftover that still
 * runs the same command line, never a process that merely reuses its pid.
 */
const dir = mkdtempSync(join(tmpdir(), 'postroom-processes-'));
const spawned: ChildProcess[] = [];
afterAll(() => {
  for (const child of spawned) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function sleeper(): ChildProcess & { pid: number } {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)'], {
    stdio: 'ignore',
  });
  spawned.push(child);
  return child as ChildProcess & { pid: number };
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', resolve));

async function commandOf(child: { pid: number }): Promise<string> {
  await expect.poll(() => commandLineOf(child.pid)).toContain('setInterval');
  return commandLineOf(child.pid) ?? '';
}

describe('the local cloud’s process list', () => {
  it('stops a listed leftover, and leaves alone a process whose pid merely matches', async () => {
    const leftover = sleeper();
    const stranger = sleeper();
    const file = join(dir, 'leftovers.json');
    writeFileSync(
      file,
      JSON.stringify({
        owner: { name: 'runner', pid: 2 ** 22 + 1, port: 0, command: 'node dev.ts' },
        processes: [
          { name: 'leftover', pid: leftover.pid, port: 1, command: await commandOf(leftover) },
          // The pid was recycled: the command line is not the one recorded.
          { name: 'DynamoDB Local', pid: stranger.pid, port: 1, command: 'java -jar x.jar' },
        ],
      }),
    );
    const steps: string[] = [];
    await processRegistry(file).claim((step) => steps.push(step));
    await exited(leftover);
    expect(leftover.signalCode).toBe('SIGTERM');
    expect(commandLineOf(stranger.pid)).toBeDefined();
    expect(steps).toEqual([expect.stringContaining(`stopping leftover (pid ${leftover.pid}`)]);
  });

  it('refuses a data folder whose runner is still alive', async () => {
    const runner = sleeper();
    const file = join(dir, 'alive.json');
    writeFileSync(
      file,
      JSON.stringify({
        owner: { name: 'runner', pid: runner.pid, port: 0, command: await commandOf(runner) },
        processes: [],
      }),
    );
    await expect(processRegistry(file).claim()).rejects.toThrow(
      `another postroom (pid ${runner.pid}) is running with this data folder`,
    );
  });

  it('frees the ports of a runner killed with SIGKILL, at once on Linux and at the next start anywhere', async () => {
    const file = join(dir, 'killed.json');
    const port = await freePort();
    const runner = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(import.meta.dirname, '..', 'support', 'process-runner.ts'),
        file,
        String(port),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    spawned.push(runner);
    await new Promise((resolve) => runner.stdout?.once('data', resolve));
    expect(await portIsOpen(port)).toBe(true);
    runner.kill('SIGKILL');
    await exited(runner);
    if (process.platform === 'linux')
      await expect.poll(() => portIsOpen(port), { timeout: 5000 }).toBe(false);
    await processRegistry(file).claim();
    expect(await portIsOpen(port)).toBe(false);
  });
});
