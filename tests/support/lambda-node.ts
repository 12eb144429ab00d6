import { readFileSync } from 'node:fs';

/** The Node.js the project pins (the `node` dev dependency): Lambda's, in production. */
export const pinnedNode = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    devDependencies: { node: string };
  }
).devDependencies.node;

/**
 * Tests run on Lambda's Node.js: the `node` dev dependency puts its binary first on the
 * PATH of every `npm run`, whatever the system's Node (20 or later, for npm). Run any other
 * way (npx vitest from a shell, an editor's runner), the suite says so instead of quietly
 * testing another runtime.
 */
export function assertLambdaNode(version = process.versions.node): void {
  if (version.split('.')[0] !== pinnedNode.split('.')[0]) {
    throw new Error(
      `the tests run on Node.js ${pinnedNode} (Lambda's major), not ${version}: run them with npm test (or npm run test:browser), which puts node_modules/.bin first on the PATH`,
    );
  }
}
