import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { dirname } from 'node:path';
import { readStateFile, writeStateFile } from './state-file.ts';

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

/**
 * On Linux, children are started through util-linux's setpriv with a parent-death signal:
 * if the runner is killed (even with SIGKILL) the kernel sends each child SIGTERM, so no
 * emulator is left holding its port. Elsewhere the process list below does the cleanup
 * on the next start.
 */
const setpriv =
  process.platform === 'linux' ? ['/usr/bin/setpriv', '/bin/setpriv'].find(existsSync) : undefined;

/** A process's command line as the OS reports it, or undefined when it is gone. */
export function commandLineOf(pid: number): string | undefined {
  try {
    const line =
      process.platform === 'linux'
        ? readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ')
        : execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    // A zombie has an empty command line: it has exited.
    return line || undefined;
  } catch {
    return undefined;
  }
}

interface RegisteredProcess {
  name: string;
  pid: number;
  port: number;
  command: string;
  /** Date.now() when it started (recorded for the runner). */
  startedAt?: number;
}

/**
 * The processes one data folder's local cloud started, kept in `<data dir>/processes.json`
 * with their command lines. A runner killed without its cleanup leaves the file behind;
 * the next start stops each listed process that still runs the same command line (so a
 * recycled pid is never touched), and refuses to start while the runner that wrote it is
 * itself still alive.
 */
export function processRegistry(file: string) {
  let state: { owner?: RegisteredProcess; processes: RegisteredProcess[] } = { processes: [] };
  const save = () => writeStateFile(file, state);
  const isRunning = (entry: RegisteredProcess) => commandLineOf(entry.pid) === entry.command;

  return {
    file,
    /**
     * Takes the folder over: stops what an earlier runner left running and records this
     * process as the owner. Says whether the last runner was killed (a clean stop removes
     * the file) and when it had started, so damage from the kill can be looked for.
     */
    async claim(
      progress: (step: string) => void = () => undefined,
    ): Promise<{ killed: boolean; startedAt: number }> {
      let saved: unknown;
      let unreadable = false;
      try {
        saved = readStateFile(file);
      } catch {
        unreadable = true;
        progress(`${file} is unreadable (a runner was killed while writing it); ignoring it`);
      }
      const previous = (saved ?? { processes: [] }) as typeof state;
      if (previous.owner && previous.owner.pid !== process.pid && isRunning(previous.owner)) {
        throw new Error(
          `another postroom (pid ${previous.owner.pid}) is running with this data folder ` +
            `(${file}). Stop it (Ctrl-C in its terminal, or kill ${previous.owner.pid}), or ` +
            'give this one its own --data-dir.',
        );
      }
      for (const leftover of previous.processes ?? []) {
        if (!isRunning(leftover)) continue;
        progress(
          `stopping ${leftover.name} (pid ${leftover.pid}, port ${leftover.port}), left running by a postroom that was killed`,
        );
        await stopPid(leftover.pid, () => isRunning(leftover));
        // A killed process can hold its port for a moment while it is torn down.
        for (let wait = 0; wait < 100 && (await portIsOpen(leftover.port)); wait += 1)
          await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const command = commandLineOf(process.pid) ?? '';
      state = {
        owner: { name: 'runner', pid: process.pid, port: 0, command, startedAt: Date.now() },
        processes: [],
      };
      mkdirSync(dirname(file), { recursive: true });
      save();
      const killed =
        unreadable || (previous.owner !== undefined && previous.owner.pid !== process.pid);
      return { killed, startedAt: unreadable ? 0 : (previous.owner?.startedAt ?? 0) };
    },
    add(entry: RegisteredProcess) {
      state.processes.push(entry);
      save();
    },
    remove(pid: number) {
      state.processes = state.processes.filter((entry) => entry.pid !== pid);
      save();
    },
    /** After a clean stop nothing is left to find. */
    release() {
      rmSync(file, { force: true });
    },
  };
}

export type ProcessRegistry = ReturnType<typeof processRegistry>;

/** SIGTERM, then SIGKILL after five seconds; resolves when `alive` says it is gone. */
async function stopPid(pid: number, alive: () => boolean): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + 5000;
  while (alive()) {
    if (Date.now() > deadline) {
      signal('SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (Date.now() > deadline + 5000) throw new Error(`process ${pid} would not stop`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

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
  options: {
    timeoutMs?: number;
    hint?: string;
    env?: NodeJS.ProcessEnv;
    /** Where to record the process, so a later start can stop it if this runner is killed. */
    registry?: ProcessRegistry;
  } = {},
): Promise<RunningProcess> {
  if (await portIsOpen(port)) {
    throw new Error(
      `${name} cannot start: port ${port} on 127.0.0.1 is already in use. Stop whatever holds it ` +
        `(another "npm run dev"?) or choose another port (see README, "Ports").`,
    );
  }
  const child = setpriv
    ? spawn(setpriv, ['--pdeathsig', 'TERM', command, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...options.env },
      })
    : spawn(command, args, {
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
      exited.then((code) =>
        // setpriv answers 127 when it cannot find the command, as spawn would say ENOENT.
        setpriv && code === 127
          ? new Error(`${name} could not start (${command}): not found. ${options.hint ?? ''}`)
          : new Error(`${name} exited with code ${code} before listening on ${port}:\n${output}`),
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
  // Recorded once it listens, when setpriv has long since become the command itself.
  const pid = child.pid;
  const commandLine = pid === undefined ? undefined : commandLineOf(pid);
  if (pid !== undefined && commandLine)
    options.registry?.add({ name, pid, port, command: commandLine });
  return {
    name,
    port,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      if (pid !== undefined) options.registry?.remove(pid);
    },
  };
}
