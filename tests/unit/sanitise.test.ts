import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readInbound } from '../../shared/mail/inbound.ts';
import { htmlToText, safeFilename, sanitiseLetterHtml } from '../../shared/mail/sanitise.ts';

const limits = { maxBytes: 40 * 1024 * 1024, maxParts: 250, maxDepth: 32 };

async function htmlOf(name: string): Promise<string> {
  const raw = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'mail', name));
  const reading = await readInbound(raw, limits);
  if (!reading.ok) throw new Error(`${name} was held: ${reading.reason}`);
  if (!reading.letter.html) throw new Error(`${name} has no HTML`);
  return reading.letter.html;
}

describe('sanitiseLetterHtml on the dangerous letter (05)', () => {
  let original = '';
  let clean = '';
  beforeAll(async () => {
    original = await htmlOf('05-html-dangerous.eml');
    clean = sanitiseLetterHtml(original);
  });

  it('starts from HTML that really is dangerous', () => {
    for (const marker of ['<script', 'onerror=', 'onload=', 'javascript:', '<iframe', '<form']) {
      expect(original.toLowerCase(), marker).toContain(marker);
    }
  });

  it.each(['<script', 'onerror=', 'onload=', 'javascript:', '<iframe', '<form', '<input'])(
    'removes every %s',
    (marker) => {
      expect(clean.toLowerCase()).not.toContain(marker);
    },
  );

  it('removes the script bodies as well as the tags', () => {
    expect(clean).not.toContain('alert(');
    expect(clean).not.toContain('document.cookie');
  });

  it('keeps the visible text of the letter', () => {
    expect(clean).toContain('Dear Commissioner,');
    expect(clean).toContain('facial recognition in shops');
    expect(clean).toContain('Northern Retail Forum');
    expect(clean).toContain('We would be grateful for a meeting');
  });

  it('keeps an ordinary https link and the text of the javascript: one', () => {
    expect(clean).toContain('<a href="https://retailforum.example/position">website</a>');
    expect(clean).toMatch(/<a>here<\/a>/);
  });
});

describe('sanitiseLetterHtml', () => {
  it('keeps a cid: image source so the UI can resolve inline images (04)', async () => {
    const clean = sanitiseLetterHtml(await htmlOf('04-html-inline-image.eml'));
    expect(clean).toContain('src="cid:logo-01@greenfieldhomes.example"');
  });

  it('drops a data: or javascript: image source', () => {
    expect(sanitiseLetterHtml('<img src="data:image/png;base64,AAAA">')).not.toContain('data:');
    expect(sanitiseLetterHtml('<img src="javascript:alert(1)">')).not.toContain('javascript:');
  });

  it('does not allow cid: on links', () => {
    expect(sanitiseLetterHtml('<a href="cid:x@y">x</a>')).not.toContain('cid:');
  });

  it('drops style attributes and event handlers but keeps formatting tags', () => {
    const clean = sanitiseLetterHtml(
      '<p style="color:red" onclick="x()"><b>bold</b> <i>it</i> <span lang="fr">oui</span></p>',
    );
    expect(clean).toBe('<p><b>bold</b> <i>it</i> <span lang="fr">oui</span></p>');
  });

  it('drops protocol-relative links', () => {
    expect(sanitiseLetterHtml('<a href="//evil.example/">x</a>')).not.toContain('evil.example');
  });
});

describe('safeFilename', () => {
  it('keeps an ordinary name, turning spaces into hyphens', () => {
    expect(safeFilename('LumenCam letter to the Commissioner.pdf')).toBe(
      'LumenCam-letter-to-the-Commissioner.pdf',
    );
  });

  it('strips accents rather than dropping the letters', () => {
    expect(safeFilename('Lettre à la commissaire.pdf')).toBe('Lettre-a-la-commissaire.pdf');
  });

  it('removes path separators and leading dots', () => {
    expect(safeFilename('../../etc/passwd')).toBe('etcpasswd');
    expect(safeFilename('..\\..\\boot.ini')).toBe('boot.ini');
    expect(safeFilename('.hidden')).toBe('hidden');
  });

  it('removes quotes and control characters that would break a header', () => {
    expect(safeFilename('a"b\r\nc;d.pdf')).toBe('abcd.pdf');
  });

  it('falls back to "attachment" when nothing usable remains', () => {
    expect(safeFilename('')).toBe('attachment');
    expect(safeFilename('...')).toBe('attachment');
    expect(safeFilename('   ')).toBe('attachment');
  });

  it('keeps the last 100 characters, so the extension survives', () => {
    const name = safeFilename(`${'a'.repeat(150)}.pdf`);
    expect(name).toHaveLength(100);
    expect(name.endsWith('.pdf')).toBe(true);
  });

  // Found in review: a name made only of non-Latin letters used to reduce to ".pdf", and
  // the leading-dot rule then stripped the dot, leaving "pdf" with no extension.
  it('keeps the extension of a name written in another script', () => {
    expect(safeFilename('面会のお願い.pdf')).toMatch(/\.pdf$/);
  });
});

describe('htmlToText', () => {
  it('decodes the entities it knows and leaves any other name as it was written', () => {
    expect(htmlToText('<p>Fish &amp; chips &#8364;5 &unknown;</p>')).toBe(
      'Fish & chips €5 &unknown;',
    );
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      expect(htmlToText(`<p>a &${name}; b</p>`), name).toBe(`a &${name}; b`);
    }
  });
});
