/** The request lifecycle. The transition table that moves between them is its own module. */
export const stages = [
  'received',
  'accepted',
  'declined',
  'scheduled',
  'held',
  'drafting',
  'in_review',
  'approved',
  'published',
  'withdrawn',
] as const;

export type Stage = (typeof stages)[number];
