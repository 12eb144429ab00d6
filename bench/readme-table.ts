/**
 * npm run bench:table — prints bench/results/latest.json as the Markdown table in README's
 * Benchmark section, so the README's figures are the last full run's, copied by no hand.
 */
import { readFileSync } from 'node:fs';
import type { Figure } from './lib/figures.ts';

const run = JSON.parse(readFileSync(new URL('results/latest.json', import.meta.url), 'utf8')) as {
  startedAt: string;
  quick: boolean;
  machine: { node: string; platform: string; cpus: string; memoryGiB: number };
  figures: Array<Figure & { bench: string; met: boolean }>;
};
const number = (value: number) =>
  Number.isInteger(value) ? value.toLocaleString('en-GB') : value.toFixed(2);
const value = (figure: Figure) => `${number(figure.value)}${figure.unit ? ` ${figure.unit}` : ''}`;
const target = (figure: Figure) =>
  'max' in figure.target
    ? `≤ ${figure.target.max.toLocaleString('en-GB')}`
    : `≥ ${figure.target.min.toLocaleString('en-GB')}`;

console.log(
  `${run.quick ? 'A --quick run' : 'The latest full run'}, \`npm run bench\` of ${run.startedAt.slice(0, 10)} (Node.js ${run.machine.node}, ${run.machine.platform}, ${run.machine.cpus}, ${run.machine.memoryGiB} GiB):\n`,
);
console.log('| bench | figure | value | target | met |\n|---|---|---|---|---|');
for (const figure of run.figures)
  console.log(
    `| ${figure.bench} | ${figure.name} | ${value(figure)} | ${target(figure)} | ${figure.met ? 'yes' : '**no**'} |`,
  );
