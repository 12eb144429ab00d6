import { firstHeader, type HeaderBlock } from './headers.ts';

/**
 * Why a message must get no automatic reply (RFC 3834 and common practice), or undefined
 * for mail a person sent. Answering any of these risks a mail loop or a reply to a list.
 */
export type MachineMail =
  | { kind: 'bounce'; reason: string }
  | { kind: 'auto-reply'; reason: string }
  | { kind: 'automated'; reason: string };

const machineSenders = /^(mailer-daemon|postmaster)@/i;

export function detectMachineMail(
  headers: HeaderBlock,
  sender: string | undefined,
): MachineMail | undefined {
  const contentType = firstHeader(headers, 'content-type') ?? '';
  if (
    /multipart\/report/i.test(contentType) &&
    /report-type="?delivery-status/i.test(contentType)
  ) {
    return { kind: 'bounce', reason: 'delivery status notification (bounce)' };
  }
  const autoSubmitted = firstHeader(headers, 'auto-submitted')?.toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') {
    return autoSubmitted.startsWith('auto-replied')
      ? { kind: 'auto-reply', reason: `Auto-Submitted: ${autoSubmitted}` }
      : { kind: 'automated', reason: `Auto-Submitted: ${autoSubmitted}` };
  }
  const precedence = firstHeader(headers, 'precedence')?.toLowerCase();
  if (precedence && ['bulk', 'list', 'junk'].includes(precedence)) {
    return { kind: 'automated', reason: `Precedence: ${precedence}` };
  }
  if (headers.has('list-id')) return { kind: 'automated', reason: 'mailing list (List-Id)' };
  const returnPath = headers.get('return-path');
  if (returnPath?.some((value) => /^<\s*>$/.test(value) || value === '')) {
    return { kind: 'automated', reason: 'empty Return-Path' };
  }
  if (sender && machineSenders.test(sender)) {
    return { kind: 'automated', reason: `machine sender ${sender.split('@')[0]}` };
  }
  return undefined;
}
