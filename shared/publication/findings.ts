/**
 * The names of what redaction finds and where, apart from the detectors themselves, so the
 * API's declaration can name them without bundling detection into every staff function.
 */
export const findingKinds = [
  'email',
  'phone',
  'postcode',
  'postal-address',
  'ni-number',
  'name',
  'staff-marked',
  'staff-pattern',
] as const;

export type FindingKind = (typeof findingKinds)[number];

/** Where in the record a finding is: every part that publication would print. */
export const findingPlaces = [
  'title',
  'meeting',
  'note',
  'letter',
  'correction',
  'attachment',
] as const;
