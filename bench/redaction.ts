/**
 * npm run bench:redaction — times redaction (every detector, a marked name and a staff
 * pattern) over letters of 1 MB, 10 MB and 40 MB and over one 150 KB "word", and prints
 * the time per MB of each. Detection must be linear in the text's length: the target is
 * that the largest time per MB is within 1.5x of the smallest. The letters are compared
 * with each other (like with like: the same prose, the same findings per MB); the word,
 * which has no findings, must cost no more per MB than the dearest letter, the case a
 * quadratic detector fails (the old email pattern took 10.9 s on it). Exits non-zero on
 * a miss.
 */
import { performance } from 'node:perf_hooks';
import { redact, redactionReady } from '../shared/publication/redaction.ts';
import { benchOptions, figure, reportFigures } from './lib/figures.ts';

const options = benchOptions();

const MB = 1024 * 1024;
const TARGET = 1.5;

/** Letter-like prose, with an address, a number, a postcode or a name every few lines. */
function letter(bytes: number): string {
  const lines = [
    'Dear Commissioner, thank you for your letter of 12 March about the proposed changes.',
    'We would welcome a meeting to discuss the consultation and its timetable for 2027.',
    'Our members have raised concerns about retention periods and access to footage.',
    'Please contact our office manager on 0131 496 0123 or at office.manager@org.example.',
    'The association is based at 12 Rose Street, Edinburgh EH2 2PR, near the station.',
    'Yours sincerely,',
    'Morag Fairlie',
    'Chair, Highland Crofters’ Association; reference AB-12345 in any reply.',
  ];
  const block = `${lines.join('\n')}\n\n`;
  return block.repeat(Math.ceil(bytes / block.length)).slice(0, bytes);
}

const decisions = { reinstated: [], texts: ['Morag Fairlie'], patterns: ['AB-\\d{5}'] };
const people = { private: ['Morag Fairlie'], official: [] };
await redactionReady(decisions);

/** The best of `runs`: the least disturbed by the collector and the rest of the machine. */
function time(text: string, runs: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    redact(text, decisions, people);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

// Warm up the JIT, so the first size measured does not pay for compiling the detectors.
time(letter(2 * MB), options.quick ? 1 : 3);

// --quick: a tenth of the sizes, the same shape of comparison.
const scale = options.quick ? 0.1 : 1;
const cases: Array<[string, string, number]> = [
  ['1 MB letter', letter(MB * scale), 5],
  ['10 MB letter', letter(10 * MB * scale), 2],
  ['40 MB letter', letter(40 * MB * scale), 1],
  ['one 150 KB word', 'x'.repeat(150 * 1024), 5],
].map(([label, text, runs]) => [
  options.quick
    ? String(label).replace(/\d+ MB/, (size) => `${Number.parseInt(size, 10) / 10} MB`)
    : String(label),
  String(text),
  Number(runs),
]);
const rows = cases.map(([label, text, runs]) => {
  const ms = time(text, runs);
  return { label, mb: text.length / MB, ms, perMb: ms / (text.length / MB) };
});
const letters = rows.slice(0, 3).map((row) => row.perMb);
const word = rows[3]?.perMb ?? 0;
const fastest = Math.min(...letters);
const slowest = Math.max(...letters);
console.log('\ncase               size MB     total ms    ms per MB');
for (const row of rows)
  console.log(
    `${row.label.padEnd(18)}${row.mb.toFixed(2).padStart(8)}${row.ms.toFixed(0).padStart(13)}${row.perMb.toFixed(1).padStart(13)}`,
  );
const ratio = slowest / fastest;
console.log(
  `\nthe word: ${word.toFixed(1)} ms per MB; the dearest letter: ${slowest.toFixed(1)} ms per MB`,
);
reportFigures(
  [
    figure('redaction', 'letters: slowest / fastest ms per MB', ratio, '×', { max: TARGET }),
    figure('redaction', 'one word: ms per MB / dearest letter’s', word / slowest, '×', { max: 1 }),
  ],
  options,
);
