/**
 * npm run test:load — a flood of mail against the real local runtime. Starts fresh
 * emulators and the local runtime on free ports (never colliding with `npm run dev`),
 * sends 500 distinct letters over SMTP from 32 connections at once, waits for intake and
 * notifications to settle, then checks that every letter is a request or held mail exactly
 * once, that each acknowledgement went out once, that references are unique, and that
 * nothing was dead-lettered. It prints letters per second and how long acknowledgements
 * took during and after the flood, so a starved stream consumer shows. Exits non-zero when
 * a check fails. LOAD_LETTERS and LOAD_CLIENTS change the size.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { functions } from '../../infra/functions.ts';
import {
  emulatorEnvironment,
  LOCAL_REGION,
  provision,
  resourceNames,
  startEmulators,
} from '../../infra/local/cloud.ts';
import { freePort } from '../../infra/local/processes.ts';
import {
  Checks,
  checkLetters,
  isAcknowledgement,
  makeLetters,
  percentile,
  readTable,
  runName,
  sendLetters,
  watchSentMail,
} from './support.ts';

const letterCount = Number(process.env.LOAD_LETTERS ?? 500);
const clientCount = Number(process.env.LOAD_CLIENTS ?? 32);
const settleLimitMs = 150_000;
const office = 'commissioner@office.example';

const dataDir = mkdtempSync(join(tmpdir(), 'postroom-load-'));
const ports = { dynamodb: await freePort(), s3: await freePort(), ses: await freePort() };
const started = performance.now();
const seconds = (from: number, to = performance.now()) => ((to - from) / 1000).toFixed(1);
console.log(`test:load: ${letterCount} letters from ${clientCount} SMTP clients`);
console.log('  … starting the emulators');
const emulators = await startEmulators(ports, { dataDir, persist: false });

// The runtime's error lines are counted, not printed: 500 letters can make thousands.
const errors = new Map<string, number>();
const stderrWrite = process.stderr.write.bind(process.stderr);
process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
  const text = chunk.toString();
  if (!text.startsWith('{')) return stderrWrite(chunk, ...rest);
  for (const line of text.split('\n').filter(Boolean)) {
    try {
      const entry = JSON.parse(line) as {
        message?: string;
        error?: string | { name?: string; message?: string };
        state?: string;
      };
      const error =
        typeof entry.error === 'string'
          ? entry.error
          : entry.error && `${entry.error.name}: ${entry.error.message}`;
      const what = [entry.message, entry.state, error].filter(Boolean).join(': ');
      errors.set(what, (errors.get(what) ?? 0) + 1);
    } catch {
      stderrWrite(`${line}\n`);
    }
  }
  return true;
}) as typeof process.stderr.write;

const checks = new Checks();
let stopRuntime = async () => undefined as unknown;
try {
  const names = resourceNames('load');
  Object.assign(process.env, emulatorEnvironment(ports), names, {
    OFFICE_ADDRESS: office,
    STAFF_ALERT_ADDRESS: 'staff@office.example',
    SITE_BASE_URL: 'http://127.0.0.1:1/',
    LOG_LEVEL: 'warn',
    // Legitimate letters from many senders: the office-wide cap on acknowledgements
    // (a defence against forged floods) would otherwise stop most of them.
    ACK_OFFICE_LIMIT_PER_HOUR: String(letterCount * 2),
  });
  await provision(names);
  const { startLocalRuntime } = await import('../../infra/local/runtime.ts');
  const smtpPort = await freePort();
  const filedAt = new Map<string, number>();
  const runtime = await startLocalRuntime({
    smtpPort,
    apiPort: await freePort(),
    region: LOCAL_REGION,
    stateDir: dataDir,
    onMailFiled: (key) => filedAt.set(key, Date.now()),
  });
  stopRuntime = runtime.stop;
  console.log(`  … the local runtime is up (${seconds(started)} s); sending`);

  const letters = makeLetters(letterCount, runName());
  const watch = watchSentMail(ports.ses);
  const floodStart = performance.now();
  const floodStartWall = Date.now();
  const sent = await sendLetters({ port: smtpPort, letters, clients: clientCount, to: office });
  const floodEnd = performance.now();
  const floodEndWall = Date.now();
  const accepted = sent.filter((result) => result.accepted);
  console.log(
    `  … ${accepted.length} of ${letters.length} answered 250 in ${seconds(floodStart, floodEnd)} s; waiting for intake and notifications`,
  );
  const settled = await Promise.race([
    runtime.settle().then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), settleLimitMs)),
  ]);
  const settledAt = performance.now();
  await watch.stop();
  const view = await readTable(names.TABLE_NAME, names.INBOUND_BUCKET);
  const mail = [...watch.seen.values()].map((entry) => entry.mail);

  console.log('\nchecks');
  checks.check(
    accepted.length === letters.length,
    `every letter was answered 250 (${accepted.length} of ${letters.length})`,
    [...new Set(sent.filter((result) => !result.accepted).map((result) => result.error))]
      .slice(0, 3)
      .join('; '),
  );
  checks.check(settled, `intake and the stream consumers settled within ${settleLimitMs / 1000} s`);
  checkLetters(checks, view, accepted, mail);
  const intakeDeadLetters = join(dataDir, 'intake-dead-letters.jsonl');
  const deadLetterLines = existsSync(intakeDeadLetters)
    ? readFileSync(intakeDeadLetters, 'utf8').split('\n').filter(Boolean).length
    : 0;
  const streamDeadLetters = Object.entries(runtime.pollers)
    .filter(([, poller]) => poller.deadLetters.length > 0)
    .map(([name, poller]) => `${name}: ${poller.deadLetters.length}`);
  const allocation = [...errors].filter(([what]) =>
    what.includes('could not allocate a reference'),
  );
  checks.check(
    deadLetterLines === 0,
    'no intake delivery was dead-lettered',
    deadLetterLines
      ? `${deadLetterLines} in ${intakeDeadLetters}${allocation.length ? ' (reference allocation, see below)' : ''}`
      : '',
  );
  checks.check(
    streamDeadLetters.length === 0,
    'no stream record was dead-lettered',
    streamDeadLetters.join(', '),
  );
  if (allocation.length > 0) {
    const failures = allocation.reduce((sum, [, count]) => sum + count, 0);
    checks.check(
      false,
      'reference allocation kept up',
      `${failures} intake attempt(s) failed with "could not allocate a reference … after 25 attempts": the yearly counter (shared/aws/request-store.ts claimSequence) cannot take concurrent filings`,
    );
  }

  console.log('\nfigures');
  const floodSeconds = (floodEnd - floodStart) / 1000;
  const wall = (at: number) => floodStartWall + (at - floodStart);
  const lastFiled = Math.max(...filedAt.values());
  console.log(
    `  accepted  ${(accepted.length / floodSeconds).toFixed(1)} letters/s over SMTP (${floodSeconds.toFixed(1)} s for ${accepted.length})`,
  );
  console.log(
    `  filed     ${(filedAt.size / ((lastFiled - floodStartWall) / 1000)).toFixed(1)} letters/s (${filedAt.size} filed, the last ${((lastFiled - floodEndWall) / 1000).toFixed(1)} s after the last 250)`,
  );
  const queued = accepted.flatMap((result) => {
    const filed = result.key ? filedAt.get(result.key) : undefined;
    return filed === undefined ? [] : [filed - wall(result.answeredAt)];
  });
  console.log(
    `  250 to filed: p50 ${(percentile(queued, 50) / 1000).toFixed(1)} s, p99 ${(percentile(queued, 99) / 1000).toFixed(1)} s (waiting in the delivery queue, maxConcurrency ${functions.intakeMail.trigger.maxConcurrency})`,
  );
  console.log(`  settled   ${seconds(floodStart, settledAt)} s after the first letter`);

  // Acknowledgement latency: intake filed the letter -> its mail first seen in the store.
  const keyByToken = new Map(accepted.map((result) => [result.letter.token, result.key]));
  const latencies: number[] = [];
  let duringFlood = 0;
  for (const { mail: sentMail, firstSeen } of watch.seen.values()) {
    if (firstSeen <= floodEndWall) duringFlood += 1;
    if (!isAcknowledgement(sentMail)) continue;
    const key = keyByToken.get(/\bpr[a-z0-9]{6}-\d{4}\b/.exec(sentMail.subject)?.[0] ?? '');
    const filed = key ? filedAt.get(key) : undefined;
    if (filed !== undefined) latencies.push(firstSeen - filed);
  }
  console.log(
    `  filed to acknowledged: p50 ${(percentile(latencies, 50) / 1000).toFixed(1)} s, p99 ${(percentile(latencies, 99) / 1000).toFixed(1)} s, max ${(Math.max(...latencies) / 1000).toFixed(1)} s (${latencies.length} acknowledgements; the store is polled every 250 ms)`,
  );
  console.log(
    `  mail sent  ${duringFlood} during the flood (${floodSeconds.toFixed(1)} s), ${watch.seen.size - duringFlood} after it`,
  );
  // Two-second steps: letters accepted, letters filed, mails sent.
  const step = (at: number) => Math.floor((at - floodStartWall) / 2000);
  const timeline = new Map<number, [number, number, number]>();
  const add = (at: number, column: 0 | 1 | 2) => {
    const row = timeline.get(step(at)) ?? [0, 0, 0];
    row[column] += 1;
    timeline.set(step(at), row);
  };
  for (const result of accepted) add(wall(result.answeredAt), 0);
  for (const filed of filedAt.values()) add(filed, 1);
  for (const { firstSeen } of watch.seen.values()) add(firstSeen, 2);
  console.log('  timeline (2 s steps): accepted / filed / mails sent');
  const steps = [...timeline.keys()].sort((a, b) => a - b);
  for (let row = 0; row < steps.length; row += 8)
    console.log(
      `    ${steps
        .slice(row, row + 8)
        .map((at) => `${String(at * 2).padStart(3)}s ${timeline.get(at)?.join('/').padEnd(11)}`)
        .join(' ')}`,
    );
  if (errors.size > 0) {
    console.log('  runtime errors and warnings (count, message):');
    for (const [what, count] of [...errors].sort((a, b) => b[1] - a[1]).slice(0, 8))
      console.log(`    ${String(count).padStart(5)}  ${what.slice(0, 160)}`);
  }
} catch (error) {
  checks.check(false, 'the load test ran to the end', (error as Error).stack ?? String(error));
} finally {
  await stopRuntime().catch(() => undefined);
  await emulators.stop();
  if (checks.failures.length === 0) rmSync(dataDir, { recursive: true, force: true });
  else console.log(`\nthe run's files (dead letters, checkpoints) are kept in ${dataDir}`);
}
console.log(
  `\ntest:load ${checks.failures.length === 0 ? 'passed' : `FAILED (${checks.failures.length} check(s))`} in ${seconds(started)} s`,
);
process.exit(checks.failures.length === 0 ? 0 : 1);
