import { firstHeader, type HeaderBlock } from './headers.ts';

/** What SES and the sender's domain said about a message, as the stored headers carry it. */
export interface Verdicts {
  spam?: string;
  virus?: string;
  spf?: string;
  dkim?: string;
  dmarc?: string;
  /** The domain SPF checked (the envelope sender's), where the results name it. */
  spfDomain?: string;
  /** The domain that signed the DKIM signature (header.d, or header.i's domain). */
  dkimDomain?: string;
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
    spfDomain: domainOf(results?.match(/\bsmtp\.mailfrom=([^\s;]+)/i)?.[1]),
    dkimDomain: domainOf(results?.match(/\bheader\.(?:d|i)=([^\s;]+)/i)?.[1]),
  };
}

const domainOf = (value: string | undefined) =>
  value ? value.slice(value.lastIndexOf('@') + 1).toLowerCase() : undefined;

/** Relaxed alignment, as DMARC has it: the same domain, or one a subdomain of the other. */
const aligned = (domain: string | undefined, fromDomain: string) =>
  domain !== undefined &&
  (domain === fromDomain || domain.endsWith(`.${fromDomain}`) || fromDomain.endsWith(`.${domain}`));

/**
 * Whether the From address's own domain vouches for the mail: DMARC passed, or SPF or
 * DKIM passed for that domain (an attacker's envelope or signature passing for their own
 * domain says nothing about the From). Undefined when the mail carries no results at all
 * (it did not come through SES: the local SMTP listener adds none).
 */
export function fromDomainVouches(verdicts: Verdicts, fromAddress: string): boolean | undefined {
  if (!verdicts.spf && !verdicts.dkim && !verdicts.dmarc) return undefined;
  const fromDomain = domainOf(fromAddress) ?? '';
  return (
    verdicts.dmarc === 'PASS' ||
    (verdicts.spf === 'PASS' && (!verdicts.spfDomain || aligned(verdicts.spfDomain, fromDomain))) ||
    (verdicts.dkim === 'PASS' && (!verdicts.dkimDomain || aligned(verdicts.dkimDomain, fromDomain)))
  );
}

/** Sender authentication that failed outright; staff see it as a warning on the request. */
export function failedAuthentication(verdicts: Verdicts): string[] {
  return (['spf', 'dkim', 'dmarc'] as const).filter((check) => verdicts[check] === 'FAIL');
}

/**
 * The sender's domain says it did not send this: DMARC failed, or SPF failed (or soft-
 * failed) with no DKIM signature passing to vouch for it. SPF failing with DKIM passing is
 * what forwarding does to genuine mail, so that does not count.
 */
export function disownedBySender(verdicts: Verdicts): boolean {
  return (
    verdicts.dmarc === 'FAIL' ||
    ((verdicts.spf === 'FAIL' || verdicts.spf === 'SOFTFAIL') && verdicts.dkim !== 'PASS')
  );
}
