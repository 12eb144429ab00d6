import { describe, expect, it } from 'vitest';
import {
  detectPersonalData,
  invalidPattern,
  REDACTED,
  redact,
} from '../../shared/publication/redaction.ts';

const none = { reinstated: [], texts: [], patterns: [] };
const letter = `Dear Commissioner,
Please reply to helen.marsh@lumencam.example or call 0131 496 0123 (mobile +44 7700 900123).
Our office is at 12 Rose Street, Edinburgh EH2 2PR.
Kind regards, Helen Marsh`;

describe('finding personal data', () => {
  it('finds email addresses, UK phone numbers and postal addresses', () => {
    const kinds = detectPersonalData(letter).map((finding) => [finding.kind, finding.text]);
    expect(kinds).toEqual([
      ['email', 'helen.marsh@lumencam.example'],
      ['phone', '0131 496 0123'],
      ['phone', '+44 7700 900123'],
      ['postal-address', '12 Rose Street'],
      ['postal-address', 'EH2 2PR'],
    ]);
  });

  it('gives the same finding the same id each time', () => {
    expect(detectPersonalData(letter)[0]?.id).toBe(detectPersonalData(`x ${letter}`)[0]?.id);
  });
});

describe('redacting', () => {
  it('redacts everything detected by default, and leaves no trace of it', () => {
    const { text } = redact(letter, none);
    for (const secret of ['helen.marsh@', '0131 496', '7700 900123', 'Rose Street', 'EH2 2PR'])
      expect(text).not.toContain(secret);
    expect(text).toContain(REDACTED);
    expect(text).toContain('Kind regards, Helen Marsh');
  });

  it('publishes a finding staff reinstate, and redacts names staff mark, everywhere', () => {
    const [email] = detectPersonalData(letter);
    const { text } = redact(letter, {
      reinstated: [{ id: email?.id ?? '', reason: 'A published corporate address' }],
      texts: ['Helen Marsh'],
      patterns: [],
    });
    expect(text).toContain('helen.marsh@lumencam.example');
    expect(text).not.toContain('Helen Marsh');
  });

  it('applies staff patterns, and rejects ones that are not regular expressions', () => {
    expect(
      redact('Case ref AB-12345 and AB-99999', { ...none, patterns: ['AB-\\d{5}'] }).text,
    ).toBe(`Case ref ${REDACTED} and ${REDACTED}`);
    expect(invalidPattern('([')).toMatch(/Invalid regular expression/);
    expect(invalidPattern('AB-\\d+')).toBeUndefined();
  });
});
