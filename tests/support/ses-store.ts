/** The SES emulator's record of sent mail (aws-ses-v2-local's GET /store). */
export interface SentMail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  attachments: Array<{ contentType: string; filename?: string; content: string }>;
  /** Seconds since the epoch. */
  at: number;
}

/** Reads and clears the SES emulator's store; `base` says where it listens, when asked. */
export function sesStore(base: () => string) {
  const store = {
    /** Mail sent since `sinceSeconds` (the emulator keeps whole seconds), or all of it. */
    async all(sinceSeconds?: number): Promise<SentMail[]> {
      const query = sinceSeconds === undefined ? '' : `?since=${Math.floor(sinceSeconds)}`;
      const response = await fetch(`${base()}/store${query}`);
      return ((await response.json()) as { emails: SentMail[] }).emails;
    },
    async to(address: string): Promise<SentMail[]> {
      return (await store.all()).filter((mail) => mail.destination.to.includes(address));
    },
    async raw(messageId: string): Promise<string> {
      const response = await fetch(
        `${base()}/get-emlContent?messageId=${encodeURIComponent(messageId)}`,
      );
      return response.text();
    },
    async clear(): Promise<void> {
      await fetch(`${base()}/clear-store`, { method: 'POST' });
    },
  };
  return store;
}
