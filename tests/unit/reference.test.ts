import { describe, expect, it } from 'vitest';
import { formatReference, referenceInSubject } from '../../shared/workflow/reference.ts';

describe('formatReference', () => {
  it('pads the yearly counter to four digits', () => {
    expect(formatReference(2026, 7)).toBe('REQ-2026-0007');
    expect(formatReference(2026, 42)).toBe('REQ-2026-0042');
    expect(formatReference(2026, 1234)).toBe('REQ-2026-1234');
  });

  it('lets the counter grow past four digits rather than wrapping', () => {
    expect(formatReference(2027, 12345)).toBe('REQ-2027-12345');
  });
});

describe('referenceInSubject', () => {
  it('finds the bracketed reference in a reply subject', () => {
    expect(referenceInSubject('Re: [REQ-2026-0007] Your request for a meeting')).toBe(
      'REQ-2026-0007',
    );
  });

  it('accepts a lowercase token and returns it in upper case', () => {
    expect(referenceInSubject('RE: [req-2026-0007] thanks')).toBe('REQ-2026-0007');
  });

  it('finds a counter longer than four digits', () => {
    expect(referenceInSubject('Fwd: [REQ-2027-12345] note')).toBe('REQ-2027-12345');
  });

  it('round-trips what formatReference produces', () => {
    const reference = formatReference(2026, 3);
    expect(referenceInSubject(`Re: [${reference}] We have received your request`)).toBe(reference);
  });

  it('returns undefined when the subject carries no token', () => {
    expect(referenceInSubject('Re: Request for a meeting with the Commissioner')).toBeUndefined();
  });

  it('does not match a token without brackets', () => {
    expect(referenceInSubject('Re: REQ-2026-0007 meeting')).toBeUndefined();
  });

  it('does not match a malformed token', () => {
    expect(referenceInSubject('Re: [REQ-26-0007] meeting')).toBeUndefined();
    expect(referenceInSubject('Re: [REQ-2026-007] meeting')).toBeUndefined();
  });

  it('returns undefined for an undefined subject', () => {
    expect(referenceInSubject(undefined)).toBeUndefined();
  });
});
