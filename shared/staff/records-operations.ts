import type { Operations } from './operations.ts';
import { correspondent, search } from './search.ts';

/**
 * The records group's operations: what staff look up across all requests, from the
 * catalogue (search, correspondents). Only this group's function bundles MiniSearch.
 */
export const recordsOperations = {
  search: ({ query }, { ports }) => search(query, ports),
  correspondent: ({ query }, { ports }) => correspondent(query, ports),
} satisfies Operations<'records'>;
