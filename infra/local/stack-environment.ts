import { parseArgs } from 'node:util';
import { defaultPorts, emulatorEnvironment, type ResourceNames, resourceNames } from './cloud.ts';

/**
 * Where an operator's command (`npm run audit:verify`, `npm run search:rebuild`) points:
 * with TABLE_NAME in the environment, at that table and the buckets named beside it,
 * wherever the environment's credentials and AWS_REGION say (a deployed stack); without
 * it, at the emulators a running `npm run dev` started, on its ports (or --dynamodb-port,
 * --s3-port, POSTROOM_DYNAMODB_PORT, POSTROOM_S3_PORT), with the local resources' names
 * for `names`. Call it before importing anything that creates an SDK client: clients read
 * the endpoints from the environment when they are made.
 */
export function pointAtStack(names: ReadonlyArray<keyof ResourceNames>) {
  const { values: flags } = parseArgs({
    options: {
      'dynamodb-port': {
        type: 'string',
        default: process.env.POSTROOM_DYNAMODB_PORT ?? String(defaultPorts.dynamodb),
      },
      's3-port': {
        type: 'string',
        default: process.env.POSTROOM_S3_PORT ?? String(defaultPorts.s3),
      },
    },
  });
  const local = !process.env.TABLE_NAME;
  if (local) {
    const localNames = resourceNames('postroom');
    Object.assign(
      process.env,
      emulatorEnvironment({
        dynamodb: Number(flags['dynamodb-port']),
        s3: Number(flags['s3-port']),
        ses: defaultPorts.ses,
      }),
      { TABLE_NAME: localNames.TABLE_NAME },
      Object.fromEntries(names.map((name) => [name, localNames[name]])),
    );
  }
  return { local, dynamodbPort: flags['dynamodb-port'] };
}
