import { trimmedText } from '../workflow/transitions.ts';
import * as z from '../zod.ts';

/**
 * The search routes' queries, apart from the search itself, so that the route table
 * (shared/staff/api.ts, in every staff function's bundle) never pulls in MiniSearch.
 */
export const searchQuerySchema = z.object({
  q: z
    .string({ error: 'q is required: the words to search for, 1 to 200 characters' })
    .check(
      z.trim(),
      z.minLength(1, 'q is empty: give the words to search for, 1 to 200 characters'),
      z.maxLength(200, 'q is too long: at most 200 characters'),
    ),
  limit: z._default(
    z.coerce
      .number({ error: 'limit must be a whole number from 1 to 50' })
      .check(
        z.int('limit must be a whole number from 1 to 50'),
        z.gte(1, 'limit must be from 1 to 50'),
        z.lte(50, 'limit must be from 1 to 50'),
      ),
    20,
  ),
  nextToken: z.optional(
    z.string().check(z.maxLength(200, 'nextToken is not one this API issued; leave it out')),
  ),
});

export const correspondentQuerySchema = z.object({
  sender: z.optional(trimmedText(1, 320)),
  organisation: z.optional(trimmedText(1, 200)),
});
