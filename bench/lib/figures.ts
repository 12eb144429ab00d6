import { appendFileSync } from 'node:fs';
import os from 'node:os';

/**
 * What every bench reports: each figure with its target, so `npm run bench` can print
 * one table, gate on it, and keep the run as JSON for the next to compare with.
 *
 * A bench is run as `tsx bench/<name>.ts [--quick] [--json FILE]`. `--quick` uses small
 * sizes and few runs: it checks the bench still runs and computes its targets, and does
 * not gate on them (the figures of a small run say little). `--json FILE` appends the
 * figures to FILE, one JSON object a line, for bench/run.ts.
 */
export interface Figure {
  bench: string;
  /** What was measured, e.g. "list by stage, 8 clients: p50 / floor". */
  name: string;
  value: number;
  unit: string;
  /** The target: `value <= max` or `value >= min`. */
  target: { max: number } | { min: number };
  met: boolean;
  /** Gated even in a --quick run: a figure the small run measures exactly (a bundle's size). */
  exact?: true;
}

export interface BenchOptions {
  quick: boolean;
  jsonFile?: string;
}

export function benchOptions(argv = process.argv.slice(2)): BenchOptions {
  const json = argv.indexOf('--json');
  return {
    quick: argv.includes('--quick'),
    jsonFile: json >= 0 ? argv[json + 1] : undefined,
  };
}

/** A figure, judged against its target. */
export function figure(
  bench: string,
  name: string,
  value: number,
  unit: string,
  target: Figure['target'],
  options: { exact?: true } = {},
): Figure {
  const met = 'max' in target ? value <= target.max : value >= target.min;
  return { bench, name, value, unit, target, met, ...options };
}

/** Whether a missed figure fails this run: every one in a full run, exact ones in --quick. */
export const gates = (f: Figure, quick: boolean) => !f.met && (!quick || f.exact === true);

export const targetText = (target: Figure['target']) =>
  'max' in target ? `≤ ${target.max}` : `≥ ${target.min}`;

export const valueText = (value: number, unit: string) =>
  `${Number.isInteger(value) ? value.toLocaleString('en-GB') : value.toFixed(2)}${unit ? ` ${unit}` : ''}`;

/** The table every bench ends with: figure, target, met. */
export function printFigures(figures: readonly Figure[]): void {
  const width = Math.max(10, ...figures.map((f) => f.name.length));
  console.log(
    `\n${'figure'.padEnd(width)}  ${'value'.padStart(14)}  ${'target'.padStart(12)}  met`,
  );
  for (const f of figures)
    console.log(
      `${f.name.padEnd(width)}  ${valueText(f.value, f.unit).padStart(14)}  ${targetText(f.target).padStart(12)}  ${f.met ? 'yes' : 'NO'}`,
    );
}

/**
 * Prints the figures, appends them to the JSON file if one was named, and fails the
 * process on a miss unless the run was --quick.
 */
export function reportFigures(figures: readonly Figure[], options: BenchOptions): void {
  printFigures(figures);
  if (options.jsonFile)
    for (const f of figures) appendFileSync(options.jsonFile, `${JSON.stringify(f)}\n`);
  const missed = figures.filter((f) => !f.met);
  const failing = figures.filter((f) => gates(f, options.quick));
  if (failing.length) {
    console.log(`\n${failing.length} of ${figures.length} targets missed`);
    process.exitCode = 1;
  } else if (missed.length) {
    console.log(`\n(--quick: ${missed.length} targets missed at small sizes; not gated)`);
  }
}

/** The machine a run was on, for the README and the JSON. */
export function machine() {
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  };
}
