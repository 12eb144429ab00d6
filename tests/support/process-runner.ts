/**
 * A stand-in for `npm run dev` in tests/integration/local-processes.test.ts: claims a data
 * folder, starts one child that listens on a port, says "ready" and waits to be killed.
 */
import { processRegistry, startProcess } from '../../infra/local/processes.ts';

const [file = '', port = '0'] = process.argv.slice(2);
const registry = processRegistry(file);
await registry.claim();
await startProcess(
  'listener',
  process.execPath,
  ['-e', `require('node:net').createServer().listen(${port}, '127.0.0.1')`],
  Number(port),
  { registry },
);
process.stdout.write('ready\n');
setInterval(() => undefined, 60_000);
