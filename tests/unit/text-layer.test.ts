import { describe, expect, it } from 'vitest';
import { readPdf } from '../../shared/attachments/pdf-text.ts';
import { findPeople } from '../../shared/attachments/people.ts';
import {
  extractTextLayers,
  MAX_TEXT_CHARS,
  type PeopleFound,
  readTextLayer,
  type TextLayer,
  textKindOf,
  textLayerKey,
} from '../../shared/attachments/text-layer.ts';
import { pdfWithText } from '../support/pdf.ts';

const now = new Date('2026-12-01T10:00:00Z');

describe('attachment text layers', () => {
  it('tells PDFs, text files and the rest apart by type or name', () => {
    expect(textKindOf('application/pdf', 'x.bin')).toBe('pdf');
    expect(textKindOf('application/octet-stream', 'Letter.PDF')).toBe('pdf');
    expect(textKindOf('text/csv', 'members')).toBe('text');
    expect(textKindOf('application/octet-stream', 'invite.ics')).toBe('text');
    expect(textKindOf('application/msword', 'plan.doc')).toBe('unsupported');
    expect(textKindOf('image/png', 'scan.png')).toBe('unsupported');
  });

  it('keeps each layer beside its attachment, under the request', () => {
    expect(textLayerKey('requests/r1/messages/m1/attachments/01-annex.pdf')).toBe(
      'requests/r1/messages/m1/text/01-annex.pdf.json',
    );
    expect(() => textLayerKey('requests/r1/messages/m1/body.txt')).toThrow(/not an attachment/);
  });

  it('reads a real PDF page by page, and says why a damaged one could not be read', async () => {
    const pdf = await readTextLayer(
      { filename: 'a.pdf', contentType: 'application/pdf' },
      pdfWithText([['Call 07700 900123'], ['Page two (with brackets)']]),
      readPdf,
      now,
    );
    expect(pdf).toMatchObject({ status: 'extracted', pages: 2 });
    expect(pdf.text).toBe('Call 07700 900123\nPage two (with brackets)');
    const damaged = await readTextLayer(
      { filename: 'a.pdf', contentType: 'application/pdf' },
      pdfWithText([['x']]).subarray(0, 40),
      readPdf,
      now,
    );
    expect(damaged).toMatchObject({ status: 'unreadable', reason: /not a readable PDF/ });
    const blank = await readTextLayer(
      { filename: 'scan.pdf', contentType: 'application/pdf' },
      pdfWithText([[]]),
      readPdf,
      now,
    );
    expect(blank).toMatchObject({ status: 'empty', reason: /no text layer/ });
  });

  it('reads what a PDF keeps beside its pages, and says when earlier versions are left unread', async () => {
    const layer = await readTextLayer(
      { filename: 'a.pdf', contentType: 'application/pdf' },
      pdfWithText([['Annex']], {
        info: { Author: 'Morag Fairlie', Title: 'Call 07700 900123' },
        comment: 'ask morag.fairlie@home.example',
      }),
      readPdf,
      now,
    );
    expect(layer.text).toContain('Morag Fairlie');
    expect(layer.text).toContain('Call 07700 900123');
    expect(layer.text).toContain('ask morag.fairlie@home.example');
    expect(layer.partial).toBeUndefined();
    const revised = await readTextLayer(
      { filename: 'r.pdf', contentType: 'application/pdf' },
      pdfWithText([['Phone 07700 900123']], { revisedAway: 'Nothing to see' }),
      readPdf,
      now,
    );
    expect(revised.text).toBe('Nothing to see');
    expect(revised.partial).toMatch(/saved 2 times.*earlier versions/);
  });

  it('reads UTF-16 by its byte-order mark, HTML as its text, and refuses text holding NULs', async () => {
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('Ring 07700 900123', 'utf16le'),
    ]);
    const read = (filename: string, contentType: string, bytes: Uint8Array) =>
      readTextLayer({ filename, contentType }, bytes, readPdf, now);
    expect((await read('u.txt', 'text/plain', utf16)).text).toBe('Ring 07700 900123');
    expect(
      (
        await read(
          'p.html',
          'text/html',
          new TextEncoder().encode(
            '<p>Ring 07700<b></b> 900123 or morag@<span>home.example</span>',
          ),
        )
      ).text,
    ).toBe('\nRing 07700 900123 or morag@home.example');
    expect(
      await read('b.txt', 'text/plain', Buffer.from('Ring 07700 900123', 'utf16le')),
    ).toMatchObject({ status: 'unreadable', reason: /NUL/ });
    // A page of unclosed tags costs its length.
    expect(
      (await read('x.html', 'text/html', new TextEncoder().encode('<'.repeat(200_000)))).text,
    ).toHaveLength(200_000);
  });

  it('cuts a huge text file at the limit, and says so', async () => {
    const huge = new TextEncoder().encode('a'.repeat(MAX_TEXT_CHARS + 10));
    const layer = await readTextLayer(
      { filename: 'big.txt', contentType: 'text/plain' },
      huge,
      readPdf,
      now,
    );
    expect(layer.text).toHaveLength(MAX_TEXT_CHARS);
    expect(layer.truncated).toBe(true);
  });

  it('reads nothing twice: what has a layer is skipped, inline images are left', async () => {
    const written = new Map<string, TextLayer>([
      ['k/attachments/01-old.txt', { text: 'x' } as TextLayer],
    ]);
    const people = new Map<string, PeopleFound>();
    const read: string[] = [];
    const ports = {
      readAttachment: async (key: string) => {
        read.push(key);
        return new TextEncoder().encode('Please ask Dr Priya Shah.');
      },
      readBody: async () => 'Dear Commissioner, our chair John Smith asks to meet.',
      hasTextLayer: async (key: string) => written.has(key),
      readTextLayer: async (key: string) => written.get(key),
      writeTextLayer: async (key: string, layer: TextLayer) => {
        written.set(key, layer);
      },
      hasPeople: async (prefix: string) => people.has(prefix),
      writePeople: async (prefix: string, found: PeopleFound) => {
        people.set(prefix, found);
      },
      readPdf,
      findPeople,
    };
    const documents = {
      text: 'k/body.txt',
      attachments: [
        {
          key: 'k/attachments/01-old.txt',
          filename: 'old.txt',
          contentType: 'text/plain',
          size: 1,
          inline: false,
        },
        {
          key: 'k/attachments/02-new.txt',
          filename: 'new.txt',
          contentType: 'text/plain',
          size: 1,
          inline: false,
        },
        {
          key: 'k/attachments/03-logo.png',
          filename: 'logo.png',
          contentType: 'image/png',
          size: 1,
          inline: true,
        },
      ],
    };
    expect(await extractTextLayers(documents, ports, now)).toEqual({
      extracted: 1,
      skipped: 2,
      names: 2,
    });
    expect(read).toEqual(['k/attachments/02-new.txt']);
    expect(written.get('k/attachments/02-new.txt')).toMatchObject({ status: 'extracted' });
    // Names from the body and the attachments' text, by NLP, kept beside the message.
    expect(people.get('k')?.names.sort()).toEqual(['John Smith', 'Priya Shah']);
    // Delivered again: nothing read or written again.
    expect(await extractTextLayers(documents, ports, now)).toEqual({
      extracted: 0,
      skipped: 3,
      names: 'kept',
    });
    expect(read).toHaveLength(1);
  });
});

describe('compressed answers', () => {
  it('are sent only to clients that accept gzip', async () => {
    const { acceptsGzip } = await import('../../shared/staff/http.ts');
    expect(acceptsGzip('gzip, deflate, br')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('gzip;q=0, identity')).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
    expect(acceptsGzip('br;q=1, *;q=0')).toBe(false);
  });
});
