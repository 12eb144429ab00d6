import type { PublicText, PublishedMeeting } from './render.ts';
import { meetingPath } from './render.ts';

/**
 * The public site's search, made from the public copy only: the summaries the listings'
 * parts already hold (title, organisations, purpose) and the published note, every one of
 * them PublicText (through redaction). Nothing from the office's own records reaches it.
 *
 * It is cut as the listings are: one small JSON file per listing part under /search/,
 * written whenever that part is (so a correction or a takedown changes it at once), and a
 * manifest naming the files, rewritten only when the parts change. A publication thus
 * writes one or two search files, never a whole-site index. The /search/ page fetches
 * them and searches in the browser: no server.
 */

/** A published note is searched by its first this many characters: a file stays small. */
export const PUBLIC_NOTE_CHARS = 4_000;

/** One meeting as the public search file keeps it (short keys: there are thousands). */
export interface PublicSearchEntry {
  /** Reference */
  r: string;
  /** Title */
  t: PublicText;
  /** Start, ISO */
  d: string;
  /** Organisations */
  o: PublicText[];
  /** The meeting page, relative to the site's root */
  u: string;
  /** The purpose of the meeting */
  p: PublicText;
  /** The start of the published note, as plain text */
  n: string;
}

export const publicSearchKeys = {
  folder: 'search/',
  page: 'search/index.html',
  script: 'search/search.js',
  manifest: 'search/index.json',
  part: (year: string, id: number) => `search/${year}-${id}.json`,
};

/** The note's text as searched: its Markdown without the marks, run together. */
const plainNote = (markdown: string) =>
  markdown
    .replace(/[#*_`>[\]()|~-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, PUBLIC_NOTE_CHARS);

/**
 * A part's search file: each meeting's entry, with its note's text taken from the full
 * meeting where the publisher has it (the one being published), else from the part's
 * file as last written (`known`, by reference), since the listings keep no notes.
 */
export function publicSearchPart(
  summaries: readonly PublishedMeeting[],
  notes: ReadonlyMap<string, string>,
): string {
  const entries: PublicSearchEntry[] = summaries.map((meeting) => ({
    r: meeting.reference,
    t: meeting.title,
    d: meeting.start,
    o: meeting.organisations,
    u: meetingPath(meeting),
    p: meeting.purposeSummary,
    n: notes.get(meeting.reference) ?? '',
  }));
  return JSON.stringify(entries);
}

/** The note text of each meeting a published full copy carries (not a summary). */
export const noteTextOf = (meeting: PublishedMeeting) => plainNote(meeting.noteMarkdown);

/** The note text a part's file as last written held, by reference: to carry notes over. */
export function notesIn(file: string | undefined): Map<string, string> {
  const notes = new Map<string, string>();
  try {
    for (const entry of file ? (JSON.parse(file) as PublicSearchEntry[]) : [])
      notes.set(entry.r, entry.n);
  } catch {
    // A file that is not ours any more: its notes come back with each meeting's next change.
  }
  return notes;
}

/** The manifest: every part's file, newest year first, for the page's script to fetch. */
export const publicSearchManifest = (files: readonly string[]) =>
  JSON.stringify({ version: 1, files });

/**
 * The page's script, served from the site itself (the CSP allows scripts from 'self'
 * only, none inline). Plain code, no library: the files are a few hundred meetings'
 * titles and notes, which a scan scores in milliseconds. Every value is put on the page
 * as text (textContent), never as HTML.
 */
export const publicSearchScript = `'use strict';
(function () {
  var form = document.querySelector('form[role=search]');
  var input = document.getElementById('search-words');
  var status = document.getElementById('search-status');
  var list = document.getElementById('search-results');
  var q = new URLSearchParams(location.search).get('q') || '';
  input.value = q;
  var words = (q.toLowerCase().match(/[\\p{L}\\p{N}]+/gu) || []).filter(function (w) { return w.length > 1; });
  if (!words.length) { status.textContent = q ? 'Type at least one word of two letters or more.' : ''; return; }
  status.textContent = 'Searching…';
  function get(url) { return fetch(url).then(function (r) { if (!r.ok) throw new Error(url + ': ' + r.status); return r.json(); }); }
  get('index.json').then(function (manifest) {
    return Promise.all(manifest.files.map(function (file) { return get(file); }));
  }).then(function (parts) {
    var found = [];
    parts.forEach(function (entries) {
      entries.forEach(function (e) {
        var fields = [[e.r, 8], [e.t, 4], [e.o.join(' '), 3], [e.p, 2], [e.n, 1]];
        var score = 0;
        for (var i = 0; i < words.length; i++) {
          var hit = 0;
          for (var j = 0; j < fields.length; j++) {
            var text = fields[j][0].toLowerCase();
            if (text.indexOf(words[i]) >= 0) hit += fields[j][1];
          }
          if (!hit) { score = 0; break; }
          score += hit;
        }
        if (score) found.push({ e: e, score: score });
      });
    });
    found.sort(function (a, b) { return b.score - a.score || (a.e.d < b.e.d ? 1 : -1); });
    list.textContent = '';
    found.slice(0, 100).forEach(function (f) {
      var item = document.createElement('li');
      var link = document.createElement('a');
      link.href = '../' + f.e.u;
      link.textContent = f.e.t;
      item.appendChild(link);
      item.appendChild(document.createTextNode(', ' + f.e.d.slice(0, 10) + ': ' + f.e.o.join(', ')));
      list.appendChild(item);
    });
    var n = found.length;
    status.textContent = n === 0 ? 'No published meetings match “' + q + '”.'
      : (n === 1 ? '1 meeting matches' : n + ' meetings match') + ' “' + q + '”' + (n > 100 ? '; the first 100 are shown.' : '.');
  }).catch(function () {
    status.textContent = 'The search could not be loaded. Try again, or browse the list of meetings.';
  });
  form.addEventListener('submit', function () { status.textContent = 'Searching…'; });
})();
`;
