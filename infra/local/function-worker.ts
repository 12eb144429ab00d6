import { parentPort, workerData } from 'node:worker_threads';
import type { Handler } from 'aws-lambda';
import { lambdaContext } from './lambda-context.ts';

/**
 * One instance of a declared function, in a worker thread of the local runtime (see
 * function-instances.ts): it imports the handler module as Lambda would, then runs one
 * invocation at a time, as a Lambda instance does.
 */
const { entry, name, timeoutSeconds } = workerData as {
  entry: string;
  name: string;
  timeoutSeconds: number;
};
const module = (await import(entry)) as { handler: Handler };

parentPort?.on('message', async ({ id, event }: { id: number; event: unknown }) => {
  try {
    const result = await module.handler(
      event,
      lambdaContext(`postroom-${name}`, timeoutSeconds),
      () => undefined,
    );
    parentPort?.postMessage({ id, result });
  } catch (error) {
    const {
      name: errorName,
      message,
      stack,
    } = error instanceof Error ? error : new Error(String(error));
    parentPort?.postMessage({ id, error: { name: errorName, message, stack } });
  }
});
parentPort?.postMessage({ ready: true });
