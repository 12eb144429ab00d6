import MarkdownIt from 'markdown-it';
import { escapeHtml, htmlDocument } from '../mail/templates/html.ts';

/**
 * The HTML part of a reply staff wrote. Plain text becomes paragraphs, as typed. Markdown
 * is rendered with raw HTML and images off (a reply can carry no script, style or tracking
 * image), links made only from what is written as a link (no bare address becomes one,
 * which a sender could put in their name); placeholder values are escaped
 * before it (shared/correspondence/replies.ts), so an outsider's words stay words.
 */
const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false }).disable(
  'image',
);

export function replyHtml(text: string, asMarkdown: boolean): string {
  if (asMarkdown)
    return [
      '<!doctype html>',
      '<html lang="en"><head><meta charset="utf-8"></head>',
      '<body style="font-family:Arial,sans-serif;font-size:16px;line-height:1.5;color:#0b0c0c">',
      markdown.render(text),
      '</body></html>',
    ].join('\n');
  return htmlDocument(
    '',
    text.split(/\n{2,}/).map((paragraph) => escapeHtml(paragraph).replace(/\n/g, '<br>')),
  );
}
