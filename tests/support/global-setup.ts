import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { emulatorEnvironment, startEmulators } from '../../infra/local/cloud.ts';
import { freePort } from '../../infra/local/processes.ts';

/** Starts the real emulators once for the integration suite, on ports nobody else uses. */
export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(join(tmpdir(), 'postroom-test-'));
  const ports = { dynamodb: await freePort(), s3: await freePort(), ses: await freePort() };
  const emulators = await startEmulators(ports, { dataDir, persist: false });
  project.provide('emulatorEnvironment', emulatorEnvironment(ports));
  project.provide('sesPort', ports.ses);
  return async () => {
    await emulators.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    emulatorEnvironment: Record<string, string>;
    sesPort: number;
  }
}
