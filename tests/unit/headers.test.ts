import { describe, expect, it } from 'vitest';
import { firstHeader, messageIdsIn, readHeaderBlock } from '../../shared/mail/headers.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('readHeaderBlock', () => {
  it('reads a CRLF header block and stops at the blank line', () => {
    const headers = readHeaderBlock(
      bytes('From: a@b.example\r\nSubject: Hello\r\n\r\nX-Not-A-Header: body text\r\n'),
    );
    expect(firstHeader(headers, 'from')).toBe('a@b.example');
    expect(firstHeader(headers, 'subject')).toBe('Hello');
    expect(headers.has('x-not-a-header')).toBe(false);
  });

  it('reads an LF-only header block the same way', () => {
    const headers = readHeaderBlock(bytes('From: a@b.example\nSubject: Hello\n\nX-Body: no\n'));
    expect(firstHeader(headers, 'subject')).toBe('Hello');
    expect(headers.has('x-body')).toBe(false);
  });

  it('unfolds continuation lines into one value', () => {
    const headers = readHeaderBlock(
      bytes(
        'Authentication-Results: amazonses.com;\r\n spf=pass smtp.mailfrom=a@b.example;\r\n\tdkim=pass header.i=@b.example\r\n\r\n',
      ),
    );
    expect(firstHeader(headers, 'authentication-results')).toBe(
      'amazonses.com; spf=pass smtp.mailfrom=a@b.example; dkim=pass header.i=@b.example',
    );
  });

  it('unfolds LF continuation lines too', () => {
    const headers = readHeaderBlock(bytes('Subject: a long\n  subject line\n\n'));
    expect(firstHeader(headers, 'subject')).toBe('a long subject line');
  });

  it('stores names in lower case and looks them up case-insensitively', () => {
    const headers = readHeaderBlock(bytes('X-SES-Spam-Verdict: PASS\r\n\r\n'));
    expect([...headers.keys()]).toEqual(['x-ses-spam-verdict']);
    expect(firstHeader(headers, 'X-SES-SPAM-VERDICT')).toBe('PASS');
  });

  it('keeps every value of a repeated header, in order', () => {
    const headers = readHeaderBlock(
      bytes('Received: from one\r\nReceived: from two\r\nreceived: from three\r\n\r\n'),
    );
    expect(headers.get('received')).toEqual(['from one', 'from two', 'from three']);
    expect(firstHeader(headers, 'Received')).toBe('from one');
  });

  it('trims whitespace around values and keeps colons inside values', () => {
    const headers = readHeaderBlock(bytes('Date:   Fri, 30 Jan 2026 09:12:31 +0000  \r\n\r\n'));
    expect(firstHeader(headers, 'date')).toBe('Fri, 30 Jan 2026 09:12:31 +0000');
  });

  it('keeps an empty value', () => {
    const headers = readHeaderBlock(bytes('Return-Path: \r\nFrom: a@b.example\r\n\r\n'));
    expect(headers.get('return-path')).toEqual(['']);
  });

  it('skips lines with no header name', () => {
    const headers = readHeaderBlock(
      bytes('not a header\r\n: no name\r\nFrom: a@b.example\r\n\r\n'),
    );
    expect([...headers.keys()]).toEqual(['from']);
  });

  it('reads a message that has headers and no body', () => {
    const headers = readHeaderBlock(bytes('From: a@b.example\r\nSubject: only headers'));
    expect(firstHeader(headers, 'subject')).toBe('only headers');
  });

  it('reads from a view into a larger buffer without straying outside it', () => {
    const whole = bytes('Subject: outside\r\n\r\nFrom: a@b.example\r\n\r\nSubject: after\r\n');
    const start = 'Subject: outside\r\n\r\n'.length;
    const headers = readHeaderBlock(whole.subarray(start));
    expect([...headers.keys()]).toEqual(['from']);
  });

  it('returns undefined from firstHeader for a header that is absent', () => {
    expect(
      firstHeader(readHeaderBlock(bytes('From: a@b.example\r\n\r\n')), 'subject'),
    ).toBeUndefined();
  });
});

describe('messageIdsIn', () => {
  it('lists each id with its angle brackets, in order', () => {
    expect(messageIdsIn('<one@a.example> <two@b.example>\r\n <three@c.example>')).toEqual([
      '<one@a.example>',
      '<two@b.example>',
      '<three@c.example>',
    ]);
  });

  it('finds ids without separating whitespace', () => {
    expect(messageIdsIn('<one@a.example><two@b.example>')).toEqual([
      '<one@a.example>',
      '<two@b.example>',
    ]);
  });

  it('returns an empty list for undefined, empty or id-less values', () => {
    expect(messageIdsIn(undefined)).toEqual([]);
    expect(messageIdsIn('')).toEqual([]);
    expect(messageIdsIn('no ids here')).toEqual([]);
  });

  it('ignores an id containing whitespace', () => {
    expect(messageIdsIn('<not an id> <ok@a.example>')).toEqual(['<ok@a.example>']);
  });

  it('ignores an id longer than 500 characters', () => {
    expect(messageIdsIn(`<${'x'.repeat(501)}@a.example> <ok@a.example>`)).toEqual([
      '<ok@a.example>',
    ]);
  });

  it('keeps at most 50 ids', () => {
    const many = Array.from({ length: 60 }, (_, i) => `<id-${i}@a.example>`).join(' ');
    const ids = messageIdsIn(many);
    expect(ids).toHaveLength(50);
    expect(ids[0]).toBe('<id-0@a.example>');
    expect(ids[49]).toBe('<id-49@a.example>');
  });
});
