import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

type Invoke = (event: unknown) => Promise<unknown>;

/**
 * A declared function run as Lambda runs it: in instances of its own, each handling one
 * invocation at a time, up to `instances` at once (the rest wait their turn). Locally
 * each instance is a worker thread, so one slow invocation (a 40 MB letter's redaction
 * review) holds up only its own instance: the API's other routes, the stream pollers and
 * SMTP intake keep answering. Workers start on first use and are replaced if one dies.
 *
 * The worker loads TypeScript through tsx's loader, registered inside it, since a worker
 * does not inherit the loader its parent process was started with.
 */
export function functionInstances(options: {
  root: string;
  name: string;
  entry: string;
  timeoutSeconds: number;
  instances: number;
}): { invoke: Invoke; stop(): Promise<void> } {
  interface Instance {
    worker: Worker;
    ready: Promise<void>;
    busy: boolean;
    pending?: { id: number; resolve(value: unknown): void; reject(error: Error): void };
  }
  const instances: Instance[] = [];
  const waiting: Array<() => void> = [];
  let nextId = 0;

  const boot = `
    const { workerData } = require('node:worker_threads');
    import(workerData.tsx).then((tsx) => { tsx.register(); return import(workerData.worker); });
  `;

  /** An instance that stopped: what it was doing fails, and it is not used again. */
  function died(instance: Instance, error: Error, failed?: (error: Error) => void) {
    failed?.(error);
    instance.pending?.reject(error);
    instance.pending = undefined;
    const at = instances.indexOf(instance);
    if (at >= 0) instances.splice(at, 1);
    waiting.shift()?.();
  }

  function start(): Instance {
    const worker = new Worker(boot, {
      eval: true,
      workerData: {
        tsx: import.meta.resolve('tsx/esm/api'),
        worker: pathToFileURL(join(options.root, 'infra/local/function-worker.ts')).href,
        entry: pathToFileURL(join(options.root, options.entry)).href,
        name: options.name,
        timeoutSeconds: options.timeoutSeconds,
      },
    });
    let started: () => void = () => undefined;
    let failed: (error: Error) => void = () => undefined;
    const instance: Instance = {
      worker,
      busy: false,
      ready: new Promise<void>((resolve, reject) => {
        started = resolve;
        failed = reject;
      }),
    };
    worker.on(
      'message',
      (message: { ready?: true; id?: number; result?: unknown; error?: Error }) => {
        if (message.ready) return started();
        const pending = instance.pending;
        if (!pending || pending.id !== message.id) return;
        instance.pending = undefined;
        instance.busy = false;
        if (message.error)
          pending.reject(Object.assign(new Error(message.error.message), message.error));
        else pending.resolve(message.result);
        waiting.shift()?.();
      },
    );
    worker.on('error', (error) => died(instance, error, failed));
    worker.on('exit', (code) => {
      if (instances.includes(instance))
        died(instance, new Error(`${options.name} exited with ${code}`), failed);
    });
    instances.push(instance);
    return instance;
  }

  /** An instance taken for one invocation (marked busy before anything else can look). */
  async function takeInstance(): Promise<Instance> {
    for (;;) {
      const taken =
        instances.find((instance) => !instance.busy) ??
        (instances.length < options.instances ? start() : undefined);
      if (taken) {
        taken.busy = true;
        return taken;
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  }

  return {
    async invoke(event) {
      const instance = await takeInstance();
      try {
        await instance.ready;
      } catch (error) {
        instance.busy = false;
        throw error;
      }
      return new Promise((resolve, reject) => {
        const id = nextId++;
        // As Lambda does: past its timeout the instance is stopped, whatever it was doing
        // (a handler stuck in a loop), and the next invocation gets a fresh one.
        const deadline = setTimeout(() => {
          if (instance.pending?.id !== id) return;
          void instance.worker.terminate();
          died(
            instance,
            new Error(`Task timed out after ${options.timeoutSeconds.toFixed(2)} seconds`),
          );
        }, options.timeoutSeconds * 1000);
        instance.pending = {
          id,
          resolve: (value) => {
            clearTimeout(deadline);
            resolve(value);
          },
          reject: (error) => {
            clearTimeout(deadline);
            reject(error);
          },
        };
        instance.worker.postMessage({ id, event });
      });
    },
    async stop() {
      const all = instances.splice(0);
      // What they were doing fails now, rather than leave its caller waiting for ever.
      for (const instance of all) {
        instance.pending?.reject(new Error(`${options.name} was stopped`));
        instance.pending = undefined;
      }
      await Promise.all(all.map((instance) => instance.worker.terminate()));
    },
  };
}
