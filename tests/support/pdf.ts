/**
 * A real PDF with a text layer: one page per entry of `pages`, each line drawn in
 * Helvetica, with a correct cross-reference table. What a word processor's "Save as PDF"
 * gives, small enough to build in a test.
 */
export function pdfWithText(
  pages: string[][],
  extra: { info?: Record<string, string>; comment?: string; revisedAway?: string } = {},
): Buffer {
  const pdfString = (line: string) => line.replace(/[\\()]/g, (c) => `\\${c}`);
  const objects: string[] = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${pages.map((_, index) => `${4 + index * 2} 0 R`).join(' ')}] /Count ${pages.length} >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  // Objects after the pages: the comment on the first page, the document information.
  const after = 3 + pages.length * 2;
  const commentRef = extra.comment ? after + 1 : undefined;
  const infoRef = extra.info ? after + (commentRef ? 2 : 1) : undefined;
  for (const [index, lines] of pages.entries()) {
    const content = [
      'BT',
      '/F1 12 Tf',
      '72 720 Td',
      '14 TL',
      ...lines.map((line) => `(${pdfString(line)}) '`),
      'ET',
    ].join('\n');
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${5 + index * 2} 0 R /Resources << /Font << /F1 3 0 R >> >>${index === 0 && commentRef ? ` /Annots [${commentRef} 0 R]` : ''} >>`,
      `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
    );
  }
  if (extra.comment) {
    objects.push(
      `<< /Type /Annot /Subtype /Text /Rect [72 72 90 90] /Contents (${pdfString(extra.comment)}) >>`,
    );
  }
  if (extra.info) {
    const entries = Object.entries(extra.info).map(
      ([key, value]) => `/${key} (${pdfString(value)})`,
    );
    objects.push(`<< ${entries.join(' ')} >>`);
  }
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (const [index, object] of objects.entries()) {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${index + 1} 0 obj\n${object}\nendobj\n`;
  }
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  const trailer = `/Size ${objects.length + 1} /Root 1 0 R${infoRef ? ` /Info ${infoRef} 0 R` : ''}`;
  out += `trailer\n<< ${trailer} >>\nstartxref\n${xref}\n%%EOF\n`;
  if (extra.revisedAway !== undefined) {
    // An incremental update, as an editor saves one: the page's text replaced, the old
    // text still in the file before it.
    const content = `BT\n/F1 12 Tf\n72 720 Td\n(${pdfString(extra.revisedAway)}) Tj\nET`;
    const at = Buffer.byteLength(out, 'latin1');
    out += `5 0 obj\n<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream\nendobj\n`;
    const xref2 = Buffer.byteLength(out, 'latin1');
    out += `xref\n5 1\n${String(at).padStart(10, '0')} 00000 n \n`;
    out += `trailer\n<< ${trailer} /Prev ${xref} >>\nstartxref\n${xref2}\n%%EOF\n`;
  }
  return Buffer.from(out, 'latin1');
}
