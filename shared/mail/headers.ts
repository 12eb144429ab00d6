/**
 * A cheap look at the top-level header block without parsing the MIME tree. Verdicts are
 * read this way so that a message SES marked as infected is never handed to the parser.
 */
export type HeaderBlock = ReadonlyMap<string, readonly string[]>;

const HEADER_SCAN_LIMIT = 512 * 1024;

export function readHeaderBlock(raw: Uint8Array): HeaderBlock {
  const head = Buffer.from(
    raw.buffer,
    raw.byteOffset,
    Math.min(raw.byteLength, HEADER_SCAN_LIMIT),
  ).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const block = end === -1 ? head : head.slice(0, end);
  const headers = new Map<string, string[]>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, [...(headers.get(name) ?? []), value]);
  }
  return headers;
}

export function firstHeader(headers: HeaderBlock, name: string): string | undefined {
  return headers.get(name.toLowerCase())?.[0];
}

/** Message-IDs in a header such as References, each kept with its angle brackets. */
export function messageIdsIn(value: string | undefined): string[] {
  // Ids become table keys; a forged id kilobytes long is not one anyone could reply to.
  return [...(value ?? '').matchAll(/<[^<>\s]{1,500}>/g)].map((match) => match[0]).slice(0, 50);
}
