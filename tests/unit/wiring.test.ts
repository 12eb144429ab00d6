import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { functions } from '../../infra/functions.ts';
import * as wiring from '../../shared/aws/wiring.ts';

const source = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** Every handler gets its ports and rules from shared/aws/wiring.ts, built from its own declaration. */
describe('the wiring of each declared function', () => {
  it.each(Object.entries(functions))(
    '%s builds its ports and rules through the wiring',
    (name, declaration) => {
      expect(typeof (wiring as Record<string, unknown>)[name]).toBe('function');
      const handler = source(declaration.entry);
      expect(handler.replace(/\s+/g, '')).toContain(
        `wiring.${name}(readConfig(functions.${name}.env))`,
      );
      // Nothing assembled by hand beside it: no port module, calendar or config read of its own.
      expect(handler).not.toMatch(/shared\/aws\/[\w-]+-ports\.ts|loadHolidayCalendar|process\.env/);
      expect(handler.match(/readConfig\(/g)).toHaveLength(1);
    },
  );

  it('has a builder for no function that is not declared', () => {
    const builders = Object.entries(wiring)
      .filter(([name, value]) => typeof value === 'function' && name !== 'loadHolidayCalendar')
      .map(([name]) => name);
    expect(builders.sort()).toEqual(Object.keys(functions).sort());
  });
});
