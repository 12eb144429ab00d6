import { defineConfig } from 'vitest/config';

/** Browser checks (headless Chromium from Debian): `npm run test:browser`, also run by CI. */
export default defineConfig({
  test: {
    name: 'browser',
    include: ['tests/browser/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
