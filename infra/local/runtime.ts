import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Handler } from 'aws-lambda';
import { findUnfiledMail } from '../../shared/aws/unfiled-mail.ts';
import { readConfig } from '../../shared/config.ts';
import { log } from '../../shared/log.ts';
import { httpRoutes } from '../../shared/staff/api.ts';
import { type FunctionDeclaration, functions } from '../functions.ts';
import { INBOUND_PREFIX } from '../resources.ts';
import { STAFF_UI_DIST } from '../staff-ui.ts';
import { functionInstances } from './function-instances.ts';
import { type HttpApiOptions, startHttpApi } from './http-api.ts';
import { lambdaContext } from './lambda-context.ts';
import { tableStreamArn } from './provision.ts';
import { type SmtpIntake, startSmtpIntake } from './smtp-intake.ts';
import { type StreamPoller, startStreamPoller } from './stream-poller.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

type Invoke = (event: unknown) => Promise<unknown>;

/** Loads a declared function's handler exactly as Lambda would: the module's `handler`. */
async function loadHandler(name: string, declaration: FunctionDeclaration): Promise<Invoke> {
  const module = (await import(pathToFileURL(join(root, declaration.entry)).href)) as {
    handler: Handler;
  };
  return async (event: unknown) =>
    module.handler(
      event,
      lambdaContext(`postroom-${name}`, declaration.timeoutSeconds),
      () => undefined,
    );
}

/**
 * Wires every declared function to its local trigger. Must run after the environment
 * points at the emulators, since handlers read their configuration when first imported.
 */
export async function startLocalRuntime(options: {
  smtpPort: number;
  apiPort: number;
  region: string;
  stateDir?: string;
  /** The built staff UI to serve on the API port; web/dist unless a test built its own. */
  staffUiDir?: string;
  /** Told as intake files each inbound object (the load test times notifications from it). */
  onMailFiled?: (key: string) => void;
  /**
   * Instances of each staff API function, each a worker thread handling one request at a
   * time (see function-instances.ts); 0 runs the API in this process, as the other
   * functions run. Default 2.
   */
  apiInstances?: number;
}): Promise<{
  smtp: SmtpIntake;
  apiPort: number;
  pollers: Record<string, StreamPoller>;
  /** Runs a scheduled function now, or as its schedule would have at `at`. */
  runScheduled(name: string, at?: Date): Promise<unknown>;
  settle(): Promise<void>;
  stop(): Promise<void>;
}> {
  const env = process.env;
  let smtp: SmtpIntake | undefined;
  const pollers: Record<string, StreamPoller> = {};
  const apis: Array<{ stop(): Promise<void> }> = [];
  const apiRoutes: HttpApiOptions['routes'][number][] = [];
  const timers: NodeJS.Timeout[] = [];
  const scheduled: Record<string, (at?: Date) => Promise<unknown>> = {};
  const stateFile = (file: string) => (options.stateDir ? join(options.stateDir, file) : undefined);
  // Dead-letter consumers by the function whose queue they drain; bound once all are loaded.
  const deadLetterConsumers = new Map<string, { maxReceiveCount: number; invoke: Invoke }>();
  const instanceGroups: Array<{ stop(): Promise<void> }> = [];

  for (const [name, declaration] of Object.entries(functions) as Array<
    [string, FunctionDeclaration]
  >) {
    const trigger = declaration.trigger;
    // The API's functions, and CPU-bound ones, in worker threads of their own (see
    // function-instances.ts); the rest in this process, where tests can reach them.
    const instances =
      trigger.kind === 'http-api'
        ? (options.apiInstances ?? 2)
        : declaration.cpuBound && trigger.kind === 'table-stream'
          ? trigger.parallelization
          : 0;
    const isolated =
      instances > 0
        ? functionInstances({
            root,
            name,
            entry: declaration.entry,
            timeoutSeconds: declaration.timeoutSeconds,
            instances,
          })
        : undefined;
    if (isolated) instanceGroups.push(isolated);
    const invoke = isolated?.invoke ?? (await loadHandler(name, declaration));
    if (trigger.kind === 'inbound-mail') {
      smtp = await startSmtpIntake({
        port: options.smtpPort,
        inboundBucket: env.INBOUND_BUCKET ?? '',
        region: options.region,
        maxReceiveCount: trigger.maxReceiveCount,
        maxConcurrency: trigger.maxConcurrency,
        invoke: (event) => invoke(event) as never,
        deadLetters: {
          get maxReceiveCount() {
            return deadLetterConsumers.get(name)?.maxReceiveCount ?? 0;
          },
          invoke: async (event) => deadLetterConsumers.get(name)?.invoke(event) as never,
        },
        deadLetterFile: stateFile('intake-dead-letters.jsonl'),
        onFiled: options.onMailFiled,
        // What SQS would redeliver on AWS: mail stored before a crash and never filed.
        findUndelivered: () =>
          findUnfiledMail({
            tableName: env.TABLE_NAME ?? '',
            bucket: env.INBOUND_BUCKET ?? '',
            prefix: INBOUND_PREFIX,
          }),
      });
    } else if (trigger.kind === 'dead-letters') {
      deadLetterConsumers.set(trigger.of, { maxReceiveCount: trigger.maxReceiveCount, invoke });
    } else if (trigger.kind === 'schedule') {
      // What EventBridge sends a scheduled target, with the time it was scheduled for.
      const run = async (at = new Date()) =>
        invoke({
          source: 'aws.events',
          'detail-type': 'Scheduled Event',
          time: at.toISOString(),
          detail: {},
        });
      scheduled[name] = run;
      timers.push(
        setInterval(
          () => run().catch((error) => log.error(`${name} failed`, { error })),
          trigger.localEveryMinutes * 60_000,
        ),
      );
    } else if (trigger.kind === 'http-api') {
      // One server on the API's port, each route invoking the function that serves it.
      apiRoutes.push(
        ...httpRoutes
          .filter((route) => route.group === trigger.routes)
          .map((route) => ({ ...route, invoke: (event: unknown) => invoke(event) as never })),
      );
    } else if (trigger.kind === 'table-stream') {
      pollers[name] = startStreamPoller(
        await tableStreamArn(env.TABLE_NAME ?? ''),
        {
          name,
          filters: trigger.filters,
          batchSize: trigger.batchSize,
          retryAttempts: trigger.retryAttempts,
          parallelization: trigger.parallelization,
          invoke: (event) => invoke(event) as never,
        },
        {
          stateFile: stateFile(`stream-${name}.json`),
          deadLetterFile: stateFile(`stream-${name}-dead-letters.jsonl`),
        },
      );
    }
    // 'sending-feedback' has no local source: the SES emulator never bounces. Tests hand
    // the handler the SNS event SES would publish.
  }
  if (!smtp) throw new Error('infra/functions.ts declares no inbound-mail function');
  if (apiRoutes.length) {
    apis.push(
      await startHttpApi({
        port: options.apiPort,
        staffUi: {
          dir: options.staffUiDir ?? join(root, STAFF_UI_DIST),
          config: {
            mode: 'local',
            apiUrl: '/',
            // The functions' own setting, read and checked as they read it.
            timeZone: readConfig(['OFFICE_TIMEZONE']).OFFICE_TIMEZONE,
          },
          // Presigned upload URLs point at the S3 emulator, as on AWS at the bucket.
          connectTo: env.AWS_ENDPOINT_URL_S3 ? [new URL(env.AWS_ENDPOINT_URL_S3).origin] : [],
        },
        routes: apiRoutes,
      }),
    );
  }
  const intake = smtp;
  return {
    smtp: intake,
    pollers,
    apiPort: options.apiPort,
    runScheduled: async (name: string, at?: Date) => {
      const run = scheduled[name];
      if (!run) throw new Error(`infra/functions.ts declares no scheduled function ${name}`);
      return run(at);
    },
    /** Waits until mail received so far is filed and every resulting event is handled. */
    async settle() {
      await intake.settled();
      // One consumer's work makes events for another (publication -> notification), so
      // go round until a whole round finds nothing new.
      for (let round = 0; round < 10; round += 1) {
        let read = 0;
        for (const poller of Object.values(pollers)) read += await poller.drain();
        if (read === 0) break;
      }
    },
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await intake.stop();
      await Promise.all(apis.map((api) => api.stop()));
      // Pollers first: one may be waiting on a function's worker to finish a batch.
      await Promise.all(Object.values(pollers).map((poller) => poller.stop()));
      await Promise.all(instanceGroups.map((group) => group.stop()));
    },
  };
}
