import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { httpRoutes } from '../../shared/staff/api.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('the README', () => {
  it('documents every route shared/staff/api.ts declares, and no other', () => {
    const documented = new Set(
      [...readme.matchAll(/`(GET|POST|PUT|DELETE|PATCH) (\/api\/[^`?\s]*)/g)].map(
        ([, method, path]) => `${method} ${path}`,
      ),
    );
    const declared = new Set(httpRoutes.map((route) => `${route.method} ${route.path}`));
    expect([...declared].filter((route) => !documented.has(route))).toEqual([]);
    expect([...documented].filter((route) => !declared.has(route))).toEqual([]);
  });
});
