import { defineConfig } from 'vitest/config';
import { assertLambdaNode } from './tests/support/lambda-node.ts';

assertLambdaNode();

/** Browser checks (headless Chromium from Debian): `npm run test:browser`, also run by CI. */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          exclude: ['tests/browser/staff-ui.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The staff UI against the real local runtime: the emulators start once, as for
        // the integration tests, and the file gets a table and buckets of its own.
        test: {
          name: 'staff-ui',
          include: ['tests/browser/staff-ui.test.ts'],
          globalSetup: ['tests/support/global-setup.ts'],
          setupFiles: ['tests/support/test-environment.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        // One letter through the whole workflow, to the public site (`npm run test:e2e`).
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/support/global-setup.ts'],
          setupFiles: ['tests/support/test-environment.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
