import { type ChildProcess, spawn } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

/** A child process of the local cloud, started and awaited until its port answers. */
export interface RunningProcess {
  name: string;
  port: number;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

// Children must never outlive the runner, whatever way it ends.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function portIsOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A port the OS says is free now, for tests that must not collide with `npm run dev`. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export async function startProcess(
  name: string,
  command: string,
  args: string[],
  port: number,
  options: { timeoutMs?: number; hint?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunningProcess> {
  if (await portIsOpen(port)) {
    throw new Error(
      `${name} cannot start: port ${port} on 127.0.0.1 is already in use. Stop whatever holds it ` +
        `(another "npm run dev"?) or choose another port (see README, "Ports").`,
    );
  }
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  running.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  child.once('exit', () => running.delete(child));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (await portIsOpen(port)) break;
    const failure = await Promise.race([
      exited.then(
        (code) =>
          new Error(`${name} exited with code ${code} before listening on ${port}:\n${output}`),
      ),
      spawnError.then(
        (error) =>
          new Error(
            `${name} could not start (${command}): ${error.message}. ${options.hint ?? ''}`,
          ),
      ),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 100)),
    ]);
    if (failure) throw failure;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `${name} did not listen on port ${port} within ${options.timeoutMs ?? 60_000} ms:\n${output}`,
      );
    }
  }
  return {
    name,
    port,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
