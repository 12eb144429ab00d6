import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fillPlaceholders,
  findUnknownPlaceholders,
  type PlaceholderValues,
  placeholders,
  placeholderValues,
} from '../../shared/correspondence/placeholders.ts';
import type { RequestRecord } from '../../shared/workflow/records.ts';

const values: PlaceholderValues = {
  reference: 'REQ-2026-0007',
  requesterName: 'Helen Marsh',
  meetingDate: 'Tuesday, 24 February 2026 at 14:00',
  officeName: 'The Commissioner’s Office',
};

/** A placeholder as a template would hold it, however it is spaced. */
const known = /\{\{\s*(?:reference|requesterName|meetingDate|officeName)\s*\}\}/;

/** Template text made of the pieces placeholders are made of, in any order. */
const template = fc
  .array(
    fc.oneof(
      fc.constantFrom('{{', '}}', '{', '}', ' ', '\n', '\t', 'Dear ', ',', 'Name'),
      fc.constantFrom(...placeholders),
      fc.constantFrom(...placeholders).map((name) => `{{${name}}}`),
      fc.constantFrom(...placeholders).map((name) => `{{ ${name}\t}}`),
      fc.string({ maxLength: 8 }),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(''));

/**
 * Values that cannot themselves complete a placeholder: no braces, and a character no
 * placeholder name holds. (A value is put in as it is, so a sender named `officeName`
 * between literal braces would read as one; the reply is not filled a second time.)
 */
const value = fc.string({ maxLength: 20 }).map((text) => `${text.replace(/[{}]/g, '')}#`);
const anyValues = fc.record({
  reference: value,
  requesterName: value,
  meetingDate: value,
  officeName: value,
});

describe('placeholders', () => {
  it('fills each of the four, spaced or not, as often as it appears', () => {
    expect(
      fillPlaceholders(
        'Dear {{requesterName}},\n\nYour request {{ reference }} ({{reference}}) is booked for {{  meetingDate }}.\n\n{{officeName}}',
        values,
      ),
    ).toEqual({
      ok: true,
      text: 'Dear Helen Marsh,\n\nYour request REQ-2026-0007 (REQ-2026-0007) is booked for Tuesday, 24 February 2026 at 14:00.\n\nThe Commissioner’s Office',
    });
  });

  it('names every unknown placeholder once, as written, and fills nothing', () => {
    const text =
      'Dear {{name}}, {{ Reference }} {{}} {{ }} {{name}} {{requester name}} {{reference}}';
    expect(findUnknownPlaceholders(text)).toEqual(['name', 'Reference', '', 'requester name']);
    expect(fillPlaceholders(text, values)).toEqual({
      ok: false,
      unknown: ['name', 'Reference', '', 'requester name'],
    });
    expect(findUnknownPlaceholders('{{reference}} {{ officeName }}')).toEqual([]);
  });

  it('reports meetingDate as missing when the request has no meeting, before it fills', () => {
    const { meetingDate: _none, ...noMeeting } = values;
    expect(fillPlaceholders('See you on {{meetingDate}}, {{requesterName}}', noMeeting)).toEqual({
      ok: false,
      missing: ['meetingDate'],
    });
    expect(fillPlaceholders('Thank you, {{requesterName}}', noMeeting)).toEqual({
      ok: true,
      text: 'Thank you, Helen Marsh',
    });
    // Unknown is the template's fault, and comes first.
    expect(fillPlaceholders('{{meetingDate}} {{when}}', noMeeting)).toEqual({
      ok: false,
      unknown: ['when'],
    });
  });

  it('takes the innermost braces as the placeholder, and leaves lone braces alone', () => {
    expect(fillPlaceholders('{{{reference}}}', values)).toEqual({
      ok: true,
      text: '{REQ-2026-0007}',
    });
    expect(fillPlaceholders('{ {reference} } {{reference} }} }}{{', values)).toEqual({
      ok: true,
      text: '{ {reference} } {{reference} }} }}{{',
    });
    expect(findUnknownPlaceholders('{{ a {{reference}}')).toEqual([]);
    expect(findUnknownPlaceholders('{{ a\n\nb }}')).toEqual(['a\n\nb']);
  });

  it('puts a value in as it is: a name that looks like a placeholder is not filled again', () => {
    expect(
      fillPlaceholders('Dear {{requesterName}}', { ...values, requesterName: '{{officeName}} $&' }),
    ).toEqual({ ok: true, text: 'Dear {{officeName}} $&' });
  });

  it('never leaves a placeholder of its own in what it fills', () => {
    fc.assert(
      fc.property(template, anyValues, (text, filling) => {
        const filled = fillPlaceholders(text, filling);
        if (filled.ok) expect(filled.text).not.toMatch(known);
        else if ('unknown' in filled) expect(filled.unknown).toEqual(findUnknownPlaceholders(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves text with no `{{` as it was', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), anyValues, (text, filling) => {
        fc.pre(!text.includes('{{'));
        expect(findUnknownPlaceholders(text)).toEqual([]);
        expect(fillPlaceholders(text, filling)).toEqual({ ok: true, text });
      }),
      { numRuns: 1000 },
    );
  });

  it('takes time in proportion to the text, however hostile', () => {
    const hostile = fc.tuple(
      fc.constantFrom('{{', '{{ ', '{', '{{a}', '{{}}', '{{x{', '}}{{', '{{reference}}', 'a{{b'),
      fc.integer({ min: 500_000, max: 1_000_000 }),
    );
    fc.assert(
      fc.property(hostile, ([piece, length]) => {
        const text = piece.repeat(Math.ceil(length / piece.length));
        const started = performance.now();
        findUnknownPlaceholders(text);
        fillPlaceholders(`${text}}}`, values);
        // A quadratic scan of a megabyte would take minutes; a linear one, milliseconds.
        expect(performance.now() - started).toBeLessThan(2_000);
      }),
      { numRuns: 10 },
    );
  });
});

describe('placeholderValues', () => {
  const request = {
    reference: 'REQ-2026-0007',
    sender: { address: 'vp.publicaffairs@lumencam.example', name: 'Helen Marsh' },
  } satisfies Partial<RequestRecord>;
  const office = { officeName: 'The Commissioner’s Office', timeZone: 'Europe/London' };

  it('names the requester, the reference and the office, with no meeting date before a meeting', () => {
    expect(placeholderValues(request, office)).toEqual({
      reference: 'REQ-2026-0007',
      requesterName: 'Helen Marsh',
      officeName: 'The Commissioner’s Office',
    });
  });

  it('falls back to the address when the mail gave no name', () => {
    const nameless = { ...request, sender: { ...request.sender, name: '  ' } };
    expect(placeholderValues(nameless, office).requesterName).toBe(
      'vp.publicaffairs@lumencam.example',
    );
  });

  it('says when the meeting starts on the office’s clock, as the invitation does', () => {
    const meeting = {
      // 23:30 UTC in June is half past midnight the next day in London.
      start: '2026-06-30T23:30:00Z',
      end: '2026-07-01T00:30:00Z',
      location: 'Edinburgh',
      attendees: [],
      sequence: 0,
    };
    expect(placeholderValues({ ...request, meeting }, office).meetingDate).toBe(
      'Wednesday, 1 July 2026 at 00:30',
    );
    expect(
      placeholderValues({ ...request, meeting }, { ...office, timeZone: 'America/New_York' })
        .meetingDate,
    ).toBe('Tuesday, 30 June 2026 at 19:30');
  });
});
