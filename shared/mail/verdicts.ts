import { firstHeader, type HeaderBlock } from './headers.ts';

/** What SES and the sender's domain said about a message, as the stored headers carry it. */
export interface Verdicts {
  spam?: string;
  virus?: string;
  spf?: string;
  dkim?: string;
  dmarc?: string;
}

function authResult(results: string | undefined, method: string): string | undefined {
  return results?.match(new RegExp(`\\b${method}=([a-z]+)`, 'i'))?.[1]?.toUpperCase();
}

export function readVerdicts(headers: HeaderBlock): Verdicts {
  const results = firstHeader(headers, 'authentication-results');
  const spf = firstHeader(headers, 'received-spf')?.match(/^([a-z]+)/i)?.[1];
  return {
    spam: firstHeader(headers, 'x-ses-spam-verdict')?.toUpperCase(),
    virus: firstHeader(headers, 'x-ses-virus-verdict')?.toUpperCase(),
    spf: spf?.toUpperCase() ?? authResult(results, 'spf'),
    dkim: authResult(results, 'dkim'),
    dmarc: authResult(results, 'dmarc'),
  };
}

/** Sender authentication that failed outright; staff see it as a warning on the request. */
export function failedAuthentication(verdicts: Verdicts): string[] {
  return (['spf', 'dkim', 'dmarc'] as const).filter((check) => verdicts[check] === 'FAIL');
}

/**
 * The sender's domain says it did not send this: DMARC failed, or SPF and DKIM both did.
 * SPF failing alone is common for mail forwarded on the way (DKIM survives forwarding), so
 * it does not count on its own.
 */
export function disownedBySender(verdicts: Verdicts): boolean {
  return verdicts.dmarc === 'FAIL' || (verdicts.spf === 'FAIL' && verdicts.dkim === 'FAIL');
}
