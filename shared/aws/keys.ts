/** The single-table key layout (see README, "Storage"). Every key is built here. */
export const keys = {
  request: (id: string) => ({ PK: `REQ#${id}`, SK: 'META' }),
  event: (requestId: string, seq: number) => ({
    PK: `REQ#${requestId}`,
    SK: `EVT#${String(seq).padStart(6, '0')}`,
  }),
  message: (requestId: string, at: string, key: string) => ({
    PK: `REQ#${requestId}`,
    SK: `MSG#${at}#${key}`,
  }),
  notification: (requestId: string, seq: number, kind: string, recipient: string) => ({
    PK: `REQ#${requestId}`,
    SK: `NOTIFY#${String(seq).padStart(6, '0')}#${kind}#${recipient.toLowerCase()}`,
  }),
  failedNotification: (requestId: string, seq: number, kind: string, recipient: string) => ({
    PK: `REQ#${requestId}`,
    SK: `FAIL#${String(seq).padStart(6, '0')}#${kind}#${recipient.toLowerCase()}`,
  }),
  filing: (bucket: string, objectKey: string) => ({
    PK: `MAIL#${bucket}/${objectKey}`,
    SK: 'MAIL',
  }),
  messageId: (messageId: string) => ({ PK: `MID#${messageId}`, SK: 'MID' }),
  reference: (reference: string) => ({ PK: `REF#${reference}`, SK: 'REF' }),
  counter: (year: number) => ({ PK: `COUNTER#${year}`, SK: 'COUNTER' }),
  held: (id: string) => ({ PK: `HELD#${id}`, SK: 'HELD' }),
  /** A file staff are uploading, until a request or reply files it (or it expires). */
  upload: (id: string) => ({ PK: `UPLOAD#${id}`, SK: 'UPLOAD' }),
  /** An event of held mail's own audit chain, beside the held item. */
  heldEvent: (heldId: string, seq: number) => ({
    PK: `HELD#${heldId}`,
    SK: `EVT#${String(seq).padStart(6, '0')}`,
  }),
  /** An address SES reported as permanently bouncing or complaining: never mailed again. */
  suppressed: (address: string) => ({ PK: `ADDR#${address.toLowerCase()}`, SK: 'SUPPRESSED' }),
  /** The public site's lease: whoever holds it may rewrite the shared pages. */
  siteLease: () => ({ PK: 'SITE#lease', SK: 'SITE' }),
  /** The catalogue's lease: whoever holds it may rewrite the report facts and search index. */
  catalogueLease: () => ({ PK: 'CATALOGUE#lease', SK: 'CATALOGUE' }),
  /** What a disposal under the retention policy deleted and kept; outlives the request. */
  disposal: (requestId: string) => ({ PK: `DISPOSAL#${requestId}`, SK: 'DISPOSAL' }),
  /** A staff alert held back for its quarter-hour's summary, in the order of the slots. */
  batchedAlert: (slot: string, requestId: string, seq: number, kind: string) => ({
    PK: 'ALERTS#BATCHED',
    SK: `${slot}#${requestId}#${String(seq).padStart(6, '0')}#${kind}`,
  }),
  /** Beside the request: this event's alert was held back (so a retry holds it back once). */
  alertHeldBack: (requestId: string, seq: number, kind: string) => ({
    PK: `REQ#${requestId}`,
    SK: `BATCHED#${String(seq).padStart(6, '0')}#${kind}`,
  }),
  /**
   * Beside the request: a received message's attachments have had their text read, so
   * the catalogue (which follows these on the stream) indexes that text for search.
   */
  textRead: (requestId: string, messageKey: string) => ({
    PK: `REQ#${requestId}`,
    SK: `TEXTREAD#${messageKey}`,
  }),
  /** A saved reply template; its latest save only (who, when, and how many saves). */
  template: (id: string) => ({ PK: `TEMPLATE#${id}`, SK: 'TEMPLATE' }),
  /** A day's digest, claimed before it is sent. */
  digest: (day: string) => ({ PK: `DIGEST#${day}`, SK: 'DIGEST' }),
  /** A quarter-hour's alert summary, claimed before it is sent. */
  alertSummary: (slot: string) => ({ PK: `ALERTSUMMARY#${slot}`, SK: 'ALERTSUMMARY' }),
  /** One hour of a sender's (or the office's) allowance of acknowledgements or alerts. */
  hourlyRate: (sender: string, hour: string) => ({
    PK: `RATE#${sender.toLowerCase()}`,
    SK: `HOUR#${hour}`,
  }),
};

export const stageIndex = {
  name: 'GSI1',
  request: (stage: string, due: string, id: string) => ({
    GSI1PK: `STAGE#${stage}`,
    GSI1SK: `${due}#${id}`,
  }),
  held: (at: string, id: string) => ({ GSI1PK: 'HELD', GSI1SK: `${at}#${id}` }),
  disposal: (at: string, requestId: string) => ({
    GSI1PK: 'DISPOSALS',
    GSI1SK: `${at}#${requestId}`,
  }),
  /** Every reply template in one partition: an office keeps tens, and lists them all. */
  template: (id: string) => ({ GSI1PK: 'TEMPLATES', GSI1SK: id }),
};

export const EVENT_PREFIX = 'EVT#';
