import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * zod as postroom uses it: the tree-shakable `zod/mini` build, with English messages.
 *
 * Classic zod (`import * as z from 'zod'`) hangs every method on every schema, so a
 * bundle carries all of zod (about 93 KB minified) and builds each schema slowly at cold
 * start, even in a function that only parses its configuration. zod/mini keeps only what
 * is used (about 25 to 40 KB here) and parses the same way, with the same messages: its
 * checks are classic's own (`.min(1)` is `.check(z.minLength(1))`).
 *
 * Classic loads its English messages by itself; zod/mini does not (every message would
 * be "Invalid input"), so this module does, once, and every schema module imports zod
 * through it. package.json lists it under sideEffects, or a bundler could drop the call.
 */
config(en());

export * from 'zod/mini';
