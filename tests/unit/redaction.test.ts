import { beforeAll, describe, expect, it } from 'vitest';
import { loadPhoneDetector } from '../../shared/publication/detectors.ts';
import {
  detectPersonalData,
  loadPatternEngine,
  patternProblem,
  REDACTED,
  redact,
} from '../../shared/publication/redaction.ts';

const none = { reinstated: [], texts: [], patterns: [] };
// Staff patterns run on RE2, and phone numbers are found by libphonenumber, both loaded on
// demand as publication and the API load them (redactionReady).
beforeAll(() => Promise.all([loadPatternEngine(), loadPhoneDetector()]));
const letter = `Dear Commissioner,
Please reply to helen.marsh@lumencam.example or call 0131 496 0123 (mobile +44 7700 900123).
Our office is at 12 Rose Street, Edinburgh EH2 2PR.
Kind regards, Helen Marsh`;

const found = (text: string) =>
  detectPersonalData(text).map((finding) => [finding.kind, finding.text]);

describe('finding personal data', () => {
  it('refuses to redact with a staff pattern before the engine is loaded, rather than skip it', async () => {
    const { redact: fresh } = await import(
      '../../shared/publication/redaction.ts?unloaded' as string
    );
    expect(() => fresh('AB-12345', { ...none, patterns: ['AB-\\d{5}'] })).toThrow(/redactionReady/);
  });

  it('refuses to detect before the phone detector is loaded, whatever the text', async () => {
    const { findPhones } = await import('../../shared/publication/detectors.ts?unloaded' as string);
    expect(() => findPhones('no numbers here')).toThrow(/redactionReady/);
  });

  it('finds email addresses, phone numbers, street lines and postcodes', () => {
    expect(found(letter)).toEqual([
      ['email', 'helen.marsh@lumencam.example'],
      ['phone', '0131 496 0123'],
      ['phone', '+44 7700 900123'],
      ['postal-address', '12 Rose Street'],
      ['postcode', 'EH2 2PR'],
    ]);
  });

  it.each([
    ['an address written with an HTML entity', 'write to jane&#64;private.example today', 'email'],
    ['a named entity', 'write to jane&commat;private&period;example today', 'email'],
    ['quoted-printable', 'write to jane=40private.example today', 'email'],
    ['a soft line break inside it', 'write to jane.do=\ne@private.example today', 'email'],
    ['a bracketed London number', 'call (020) 7946 0321 today', 'phone'],
    ['a mobile with dots', 'call 07700.900.123 today', 'phone'],
    ['the 00 international prefix', 'call 0044 20 7946 0321 today', 'phone'],
    ['a French number', 'appelez +33 1 42 68 53 00', 'phone'],
    ['an American number', 'call +1 (415) 555-0132', 'phone'],
    ['a mobile with no spaces', 'call 07700900123', 'phone'],
    ['a zero-width space between digits', 'call 07700\u200b900123', 'phone'],
    ['a National Insurance number', 'NI number AB 12 34 56 C on file', 'ni-number'],
    ['an unspaced NI number', 'NI AB123456C', 'ni-number'],
    ['a lower-case postcode', 'lives at sw1a 1aa now', 'postcode'],
    ['a signature', 'Yours sincerely,\n\nMorag Fairlie\nChair', 'name'],
    ['a titled name', 'as Dr Priya Shah said', 'name'],
  ])('finds %s', (_what, text, kind) => {
    expect(found(text).map(([k]) => k)).toContain(kind);
  });

  it('leaves alone what only looks like data: dates, references, money, versions', () => {
    for (const text of [
      'REQ-2026-0007',
      'on 2026-12-01',
      'on 12/01/2026',
      'costs £1,234,567.89',
      'version 3.14159',
      'meeting 10:30 to 11:45',
      'QQ 12 34 56 C',
    ])
      expect(found(text), text).toEqual([]);
  });

  it('finds two numbers written one after the other', () => {
    expect(found('a (020) 7946 0321 0044 20 7946 0321 b')).toEqual([
      ['phone', '(020) 7946 0321'],
      ['phone', '0044 20 7946 0321'],
    ]);
    expect(found('x (020) 7946 0321 07700.900.123').map(([, text]) => text)).toEqual([
      '(020) 7946 0321',
      '07700.900.123',
    ]);
  });

  it('redacts the whole number, not part of it', () => {
    expect(redact('call 0044 20 7946 0321 now', none).text).toBe(`call ${REDACTED} now`);
    expect(redact('call (020) 7946 0321 now', none).text).toBe(`call ${REDACTED} now`);
  });

  it('gives the same finding the same id each time', () => {
    expect(detectPersonalData(letter)[0]?.id).toBe(detectPersonalData(`x ${letter}`)[0]?.id);
  });

  it('finds the names it is told about, and lists officials as public by default', () => {
    const findings = detectPersonalData('Morag Fairlie met the Chief Executive, Amir Khan.', {
      private: ['Morag Fairlie'],
      official: ['Amir Khan'],
    });
    expect(findings.map((f) => [f.kind, f.text, f.official === true])).toEqual([
      ['name', 'Morag Fairlie', false],
      ['name', 'Amir Khan', true],
    ]);
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

  it('replaces the encoded form itself, so it cannot render as the address', () => {
    const { text } = redact('write to jane&#64;private.example or jane=40private.example', none);
    expect(text).toBe(`write to ${REDACTED} or ${REDACTED}`);
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

  it('marks whole words: a marked "Ann" leaves "annual" alone', () => {
    expect(redact('Ann sent the annual report', { ...none, texts: ['Ann'] }).text).toBe(
      `${REDACTED} sent the annual report`,
    );
  });

  it('hides an official only when staff mark the name', () => {
    const people = { private: [], official: ['Amir Khan'] };
    expect(redact('Amir Khan attended', none, people).text).toBe('Amir Khan attended');
    expect(redact('Amir Khan attended', { ...none, texts: ['amir khan'] }, people).text).toBe(
      `${REDACTED} attended`,
    );
  });

  it('applies staff patterns in RE2 syntax, and says why one cannot be used', () => {
    expect(
      redact('Case ref AB-12345 and AB-99999', { ...none, patterns: ['AB-\\d{5}'] }).text,
    ).toBe(`Case ref ${REDACTED} and ${REDACTED}`);
    expect(patternProblem('([')).toMatch(/missing|error parsing/i);
    expect(patternProblem('(a)\\1')).toMatch(/RE2 syntax/);
    expect(patternProblem('AB-\\d+')).toBeUndefined();
  });

  it('runs (a+)+$ in linear time over 30 a’s and a ! (the test timeout catches backtracking)', () => {
    const started = performance.now();
    const { text } = redact(`${'a'.repeat(30)}!`, { ...none, patterns: ['(a+)+$'] });
    expect(text).toBe(`${'a'.repeat(30)}!`);
    expect(performance.now() - started).toBeLessThan(1000);
  }, 5000);

  it('redacts a pattern or a marked word that matches a million times', () => {
    const text = 'the fox and the hen. '.repeat(50_000);
    expect(redact(text, { ...none, patterns: ['.'] }).text.replaceAll(REDACTED, '')).toBe('');
    const marked = redact(text, { ...none, texts: ['the'] }).text;
    expect(marked).not.toMatch(/\bthe\b/);
  }, 20_000);

  it('scans one 150 KB word in linear time: no detector retries every start', () => {
    const word = 'x'.repeat(150_000);
    const started = performance.now();
    expect(detectPersonalData(`${word}@`)).toEqual([]);
    expect(detectPersonalData(`${word}1234567`)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(1000);
  }, 5000);
});
