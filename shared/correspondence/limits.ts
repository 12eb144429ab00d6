/**
 * How much of a request's sender and subject is kept, whether intake read them from mail
 * (which cuts what is longer) or staff typed them in (which is refused). Each is stored
 * in the request item, which DynamoDB caps with everything else at 400 KB.
 */
/** Display names are for reading. */
export const MAX_NAME_LENGTH = 200;
export const MAX_SUBJECT_LENGTH = 1000;
export const MAX_ORGANISATION_LENGTH = 200;
