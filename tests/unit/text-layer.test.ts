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
