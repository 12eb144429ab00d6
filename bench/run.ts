/**
 * npm run bench [-- --quick] [-- --only intake,api] — every bench, one after another (each
 * in its own process: each starts its own emulators), then one table of every figure with
 * its target and whether it was met. Writes bench/results/latest.json. Exits non-zero if
 * a bench fails to run, reports nothing, or (without --quick) misses a target.
 *
 * --quick runs each at small sizes: it proves the benches run and compute their targets,
 * which CI checks on every change; the targets themselves are judged on a full run.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Figure, gates, machine, printFigures } from './lib/figures.ts';

const root = join(import.meta.dirname, '..');
const quick = process.argv.includes('--quick');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? (process.argv[onlyAt + 1] ?? '').split(',') : undefined;
/**
 * bundles is left out of --quick: it is deterministic in size, and CI runs it in full
 * (npm run bench:bundles) beside this.
 */
// bundles first: its cold-import times are the most sensitive to what is still winding
// down from an earlier bench (e2e's npm run dev, a JVM).
const benches = [...(quick ? [] : ['bundles']), 'redaction', 'intake', 'api', 'publish', 'e2e'];

const scratch = mkdtempSync(join(tmpdir(), 'postroom-bench-'));
const figures: Figure[] = [];
const failures: string[] = [];
const started = new Date();
try {
  for (const bench of benches.filter((name) => !only || only.includes(name))) {
    const file = join(scratch, `${bench}.jsonl`);
    console.log(`\n=== bench:${bench}${quick ? ' --quick' : ''} ===`);
    const began = Date.now();
    const run = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        join(root, 'bench', `${bench}.ts`),
        ...(quick ? ['--quick'] : []),
        '--json',
        file,
      ],
      { cwd: root, stdio: 'inherit', env: process.env },
    );
    let reported: Figure[] = [];
    try {
      reported = readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Figure);
    } catch {
      // No file: the bench stopped before reporting; said below.
    }
    figures.push(...reported);
    const seconds = ((Date.now() - began) / 1000).toFixed(0);
    if (reported.length === 0) failures.push(`bench:${bench} reported no figures (${seconds} s)`);
    // A bench exits non-zero on a miss (without --quick) or when it breaks.
    else if (run.status !== 0 && !reported.some((f) => gates(f, quick)))
      failures.push(`bench:${bench} exited with ${run.status ?? run.signal} (${seconds} s)`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

console.log(`\n=== every figure${quick ? ' (--quick: small sizes, not gated)' : ''} ===`);
printFigures(figures);
const missed = figures.filter((f) => !f.met);
const failing = figures.filter((f) => gates(f, quick));
const results = join(root, 'bench', 'results');
mkdirSync(results, { recursive: true });
const resultFile = join(results, quick ? 'latest-quick.json' : 'latest.json');
// With --only, the other benches' figures are kept from the run before.
if (only) {
  try {
    const before = JSON.parse(readFileSync(resultFile, 'utf8')) as { figures: Figure[] };
    figures.unshift(...before.figures.filter((f) => !only.includes(f.bench)));
  } catch {
    // No earlier run: this one's figures alone.
  }
}
writeFileSync(
  resultFile,
  `${JSON.stringify(
    {
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      quick,
      machine: machine(),
      figures,
      missed: missed.map((f) => `${f.bench}: ${f.name}`),
      failures,
    },
    null,
    2,
  )}\n`,
);
for (const failure of failures) console.log(`FAILED: ${failure}`);
if (failing.length) console.log(`\n${failing.length} of ${figures.length} targets missed`);
console.log(
  `written to bench/results/${quick ? 'latest-quick.json' : 'latest.json'} (${machine().node}, ${machine().cpus})`,
);
if (failures.length || failing.length) process.exitCode = 1;
