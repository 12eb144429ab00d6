import { getNote, noteDiff, noteVersions, saveNote } from './notes.ts';
import type { Operations } from './operations.ts';
import { publicationPreview, redactionReview, reviewRedactions } from './publication.ts';

/**
 * The operation that serves each route of the notes group: the note, its versions, the
 * redaction review and the publication preview. Rendering and detection live here, so
 * only this group's function bundles them.
 */
export const noteOperations = {
  getNote: ({ params }, { ports, rules }) => getNote(params.id, ports, rules.timeZone),
  saveNote: ({ params, body, actor, now }, { ports, rules }) =>
    saveNote(params.id, actor, body, ports, rules, now),
  noteVersions: async ({ params }, { ports }) => ({
    versions: await noteVersions(params.id, ports),
  }),
  noteDiff: ({ params, query }, { ports }) => noteDiff(params.id, query, ports),
  redactionReview: ({ params }, { ports }) => redactionReview(params.id, ports),
  reviewRedactions: ({ params, body, actor, now }, { ports, rules }) =>
    reviewRedactions(params.id, actor, body, ports, rules, now),
  publicationPreview: ({ params, now }, { ports, site }) =>
    publicationPreview(params.id, ports, site, now),
} satisfies Operations<'notes'>;
