/**
 * npm run test:crash — kills the whole local stack with SIGKILL, twice, and checks that
 * nothing accepted is lost or doubled. It runs `npm run dev` as a real child process in
 * its own process group, with a temporary --data-dir and ports of its own, then:
 *
 *  1. streams letters over SMTP and SIGKILLs every process of the stack (the process
 *     group: npm, dev, DynamoDB Local, s3rver, the SES emulator) partway through;
 *  2. restarts it and sends the rest;
 *  3. streams staff actions (comment, accept, assign, comment) through the staff API on
 *     many requests at once, and SIGKILLs the stack again partway through;
 *  4. restarts it, finishes the actions, and lets it settle.
 *
 * Then it checks: every letter answered 250 is a request or held mail, once; every object
 * has one filing; each acknowledgement went out once; every audit event that calls for
 * mail has its notification; every staff action answered 200 is in the audit trail; every
 * audit chain verifies; nothing was dead-lettered. Exits non-zero when a check fails and
 * keeps the data folder and the stack's logs for a look.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emulatorEnvironment, resourceNames } from '../../infra/local/cloud.ts';
import { portIsOpen } from '../../infra/local/processes.ts';
import { devPorts, startDevStack } from '../support/dev-stack.ts';
import {
  Checks,
  checkAuditChains,
  checkLetters,
  inboundObjects,
  type Letter,
  makeLetters,
  readTable,
  runName,
  type Sent,
  sendLetters,
  type TableView,
  watchSentMail,
} from './support.ts';

const letterCount = Number(process.env.CRASH_LETTERS ?? 150);
const killAfterLetters = Math.floor(letterCount / 3);
const requestsActedOn = Number(process.env.CRASH_REQUESTS ?? 60);
const office = 'commissioner@office.example';
const assignee = 'colin.caseworker@office.example';

const started = performance.now();
const seconds = (from: number, to = performance.now()) => ((to - from) / 1000).toFixed(1);
const step = (message: string) => console.log(`  … ${message} (${seconds(started)} s)`);

const dataDir = mkdtempSync(join(tmpdir(), 'postroom-crash-'));
const ports = await devPorts();
// The checks read the emulators directly, with the same environment dev gives handlers.
const names = resourceNames('postroom');
Object.assign(process.env, emulatorEnvironment(ports));

let stack: ChildProcess | undefined;
/** True from the moment the kill is sent until the next start. */
let down = false;
let starts = 0;

/** Starts `npm run dev` in a process group of its own and waits until it says it is ready. */
async function startStack(): Promise<void> {
  starts += 1;
  down = false;
  stack = await startDevStack({
    ports,
    dataDir,
    logFile: join(dataDir, `dev-${starts}.log`),
    env: {
      LOG_LEVEL: 'info',
      // Many legitimate senders at once: the office-wide cap on acknowledgements (a defence
      // against forged floods) would otherwise withhold most of them.
      ACK_OFFICE_LIMIT_PER_HOUR: String(letterCount * 4),
    },
  });
}

/** SIGKILL to every process of the stack at once, then waits until its ports are free. */
async function killStack(): Promise<number> {
  const group = stack?.pid;
  if (!group) throw new Error('the stack is not running');
  const killedAt = performance.now();
  process.kill(-group, 'SIGKILL');
  down = true;
  const deadline = Date.now() + 20_000;
  for (;;) {
    let alive = true;
    try {
      process.kill(-group, 0);
    } catch {
      alive = false;
    }
    const busy = (await Promise.all(Object.values(ports).map((port) => portIsOpen(port)))).some(
      Boolean,
    );
    if (!alive && !busy) break;
    if (Date.now() > deadline) throw new Error('the stack did not die within 20 s of SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  stack = undefined;
  return killedAt;
}

/** The kill lands at a random moment, not just as an answer arrives. */
async function killSoon(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200));
  return killStack();
}

function devLog(): string {
  return Array.from({ length: starts }, (_, index) =>
    readFileSync(join(dataDir, `dev-${index + 1}.log`), 'utf8'),
  ).join('\n');
}

/**
 * Waits until the stack has nothing left to do: every inbound object filed, and neither
 * the table nor the sent mail changing for five seconds (the pollers look 4 times a second).
 */
async function settle(watch: ReturnType<typeof watchSentMail>): Promise<TableView> {
  const deadline = Date.now() + 180_000;
  let last = '';
  let quietSince = Date.now();
  for (;;) {
    const view = await readTable(names.TABLE_NAME, names.INBOUND_BUCKET);
    const objects = await inboundObjects(names.INBOUND_BUCKET);
    const unfiled = objects.filter((key) => !view.filings.has(key)).length;
    const unsettledClaims = [...view.claims.values()]
      .flat()
      .filter((claim) => claim.state === 'preparing' || claim.state === 'sending').length;
    const fingerprint = `${view.items}/${watch.seen.size}/${unfiled}/${unsettledClaims}`;
    if (fingerprint !== last) {
      last = fingerprint;
      quietSince = Date.now();
    } else if (unfiled === 0 && unsettledClaims === 0 && Date.now() - quietSince > 5000) {
      return view;
    }
    if (Date.now() > deadline)
      throw new Error(`the stack did not settle in 180 s (${unfiled} objects unfiled)`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

// ---- staff actions -----------------------------------------------------------------

interface Action {
  requestId: string;
  action: 'comment' | 'accept' | 'assign';
  fields: Record<string, unknown>;
  status?: number | 'no answer';
  /** performance.now() when the answer came. */
  answeredAt?: number;
  /** Answered 200 before the kill that followed (only those answers promise anything). */
  confirmed?: boolean;
}

/**
 * DynamoDB Local 3.3.0 answers TransactWriteItems a few milliseconds before its write is
 * safe from a SIGKILL (measured: up to about 10 ms under concurrent writes; a write
 * answered then can vanish, table and stream alike). A staff action answered within this
 * long before a kill, and lost, is reported as the emulator's loss, not postroom's.
 */
const EMULATOR_COMMIT_WINDOW_MS = 50;

function tokens(): { caseworker: string; admin: string } {
  return JSON.parse(readFileSync(join(dataDir, 'tokens.json'), 'utf8'));
}

async function api(token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`http://127.0.0.1:${ports.api}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/**
 * Works through each request's actions, `concurrency` requests at a time, until all are
 * done or `stop()` says so. An action without an answer is not repeated (its outcome is
 * unknown); the next one reads the request afresh.
 */
async function runActions(
  plan: Action[][],
  concurrency: number,
  stop: () => boolean,
  onAnswer: (action: Action) => void,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const actions = plan[next];
      next += 1;
      if (!actions) return;
      for (const action of actions) {
        if (action.status !== undefined) continue;
        if (stop()) return;
        const token = tokens().caseworker;
        try {
          const current = await api(token, 'GET', `/api/requests/${action.requestId}`);
          const answer = await api(token, 'POST', `/api/requests/${action.requestId}/actions`, {
            action: action.action,
            expectedVersion: current.body.version,
            ...action.fields,
          });
          action.status = answer.status;
          action.answeredAt = performance.now();
          onAnswer(action);
        } catch {
          action.status = 'no answer';
          return;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

function checkActions(checks: Checks, view: TableView, actions: Action[], killedAt: number) {
  const confirmed = actions.filter((action) => action.confirmed);
  const lost = confirmed.filter((action) => {
    const events = view.events.get(action.requestId) ?? [];
    return !events.some(
      (event) =>
        event.action === action.action &&
        (action.action !== 'comment' || event.details.text === action.fields.text) &&
        (action.action !== 'assign' || event.details.assignee === action.fields.assignee),
    );
  });
  const beforeKill = (action: Action) => killedAt - (action.answeredAt ?? 0);
  const inWindow = lost.filter((action) => beforeKill(action) < EMULATOR_COMMIT_WINDOW_MS);
  const missing = lost.filter((action) => beforeKill(action) >= EMULATOR_COMMIT_WINDOW_MS);
  checks.check(
    missing.length === 0,
    `every staff action answered 200 is in the audit trail (${confirmed.length} of ${actions.length} actions answered 200)`,
    missing
      .slice(0, 5)
      .map(
        (action) =>
          `${action.action} on ${action.requestId}, answered ${beforeKill(action).toFixed(0)} ms before the kill`,
      )
      .join(', '),
  );
  if (inWindow.length > 0)
    checks.note(
      `${inWindow.length} action(s) answered 200 within ${EMULATOR_COMMIT_WINDOW_MS} ms of the kill are missing: DynamoDB Local acknowledged the transaction before it was safe (${inWindow.map((action) => `${action.action} on ${action.requestId}, ${beforeKill(action).toFixed(1)} ms`).join('; ')})`,
    );
}

/** Every event that calls for mail has its notification claims, none left half-done. */
function checkNotifications(checks: Checks, view: TableView) {
  const missed: string[] = [];
  const unsettled: string[] = [];
  for (const request of view.requests) {
    const claims = view.claims.get(request.id) ?? [];
    for (const event of view.events.get(request.id) ?? []) {
      if (!['receive', 'accept', 'assign'].includes(event.action)) continue;
      const prefix = `NOTIFY#${String(event.seq).padStart(6, '0')}#`;
      if (!claims.some((claim) => claim.SK.startsWith(prefix)))
        missed.push(`${request.reference} ${event.action} (seq ${event.seq})`);
    }
    for (const claim of claims)
      if (claim.state === 'preparing' || claim.state === 'sending')
        unsettled.push(`${request.reference} ${claim.SK}`);
  }
  checks.check(
    missed.length === 0,
    'every audit event that calls for mail was handled by the notifier (no stream record skipped)',
    missed.slice(0, 5).join(', '),
  );
  checks.check(unsettled.length === 0, 'no notification was left half-done', unsettled.join(', '));
}

/** The requests whose acknowledgement was cut off mid-send, so its outcome is unknown. */
function acknowledgementOutcomes(view: TableView) {
  const unknown = new Set<string>();
  const sent = new Set<string>();
  for (const [requestId, claims] of view.claims) {
    for (const claim of claims) {
      if (!claim.SK.includes('#acknowledgement#')) continue;
      if (claim.state === 'sent') sent.add(requestId);
      else if (claim.state === 'unknown') unknown.add(requestId);
    }
  }
  return { sent, unknown };
}

// ---- the run ----------------------------------------------------------------------------

const checks = new Checks();
const watch = watchSentMail(ports.ses);
const accepted: Sent[] = [];
const unknownOutcome: Sent[] = [];
try {
  console.log(
    `test:crash: ${letterCount} letters and ${requestsActedOn * 4} staff actions, SIGKILL twice; data in ${dataDir}`,
  );
  await startStack();
  step('npm run dev is ready');

  // 1. Letters, killed partway.
  const letters = makeLetters(letterCount, runName());
  let killing: Promise<number> | undefined;
  const firstRun = await sendLetters({
    port: ports.smtp,
    letters,
    clients: 8,
    to: office,
    stop: () => down,
    onAnswer: (sent) => {
      if (!sent.accepted) return;
      accepted.push(sent);
      if (accepted.length >= killAfterLetters && !killing) killing = killSoon();
    },
  });
  const killedAt = await (killing ?? killStack());
  // A 250 that arrived after the kill was sent by a live server, but promises less: only
  // answers seen before the kill count as accepted; later ones are counted as unknown.
  for (let index = accepted.length - 1; index >= 0; index -= 1) {
    const sent = accepted[index];
    if (sent && sent.answeredAt > killedAt) {
      accepted.splice(index, 1);
      unknownOutcome.push(sent);
    }
  }
  unknownOutcome.push(...firstRun.filter((sent) => !sent.accepted && !sent.refused));
  step(
    `SIGKILLed the stack after ${accepted.length} letters were accepted (${unknownOutcome.length} without an answer)`,
  );

  // 2. Restart: letters stored but not filed are delivered again; send the rest.
  watch.restarted();
  await startStack();
  const redelivered = /re-delivering (\d+) letters/.exec(devLog())?.[1] ?? '0';
  step(`restarted; it re-delivered ${redelivered} letters accepted before the kill`);
  const sentAlready = new Set(
    firstRun.filter((sent) => !sent.refused).map((sent) => sent.letter.token),
  );
  const rest: Letter[] = letters.filter((letter) => !sentAlready.has(letter.token));
  const secondRun = await sendLetters({ port: ports.smtp, letters: rest, clients: 8, to: office });
  accepted.push(...secondRun.filter((sent) => sent.accepted));
  unknownOutcome.push(...secondRun.filter((sent) => !sent.accepted));
  checks.check(
    secondRun.every((sent) => sent.accepted),
    `every letter sent after the restart was answered 250 (${secondRun.length})`,
  );
  step(`sent the other ${rest.length} letters`);
  let view = await settle(watch);
  step(`settled: ${view.requests.length} requests`);

  // 3. Staff actions on many requests at once, killed partway.
  const targets = view.requests
    .filter((request) => request.stage === 'received')
    .slice(0, requestsActedOn);
  const plan: Action[][] = targets.map((request) => [
    { requestId: request.id, action: 'comment', fields: { text: `first look ${request.id}` } },
    { requestId: request.id, action: 'accept', fields: {} },
    { requestId: request.id, action: 'assign', fields: { assignee } },
    { requestId: request.id, action: 'comment', fields: { text: `assigned ${request.id}` } },
  ]);
  const actions = plan.flat();
  let actionKill: Promise<number> | undefined;
  await runActions(
    plan,
    8,
    () => down,
    () => {
      const answered = actions.filter((action) => action.status === 200).length;
      if (answered >= actions.length / 3 && !actionKill) actionKill = killSoon();
    },
  );
  const actionsKilledAt = await (actionKill ?? killStack());
  for (const action of actions)
    action.confirmed = action.status === 200 && (action.answeredAt ?? 0) < actionsKilledAt;
  step(
    `SIGKILLed the stack after ${actions.filter((action) => action.confirmed).length} staff actions were answered 200`,
  );

  // 4. Restart, finish the actions, settle.
  watch.restarted();
  await startStack();
  step('restarted');
  await runActions(
    plan,
    8,
    () => false,
    (action) => {
      action.confirmed = action.status === 200;
    },
  );
  step(
    `finished the staff actions: ${actions.filter((action) => action.confirmed).length} answered 200, ${actions.filter((action) => action.status === 'no answer').length} without an answer`,
  );
  view = await settle(watch);
  await watch.stop();
  step('settled');

  console.log('\nchecks');
  const mail = [...watch.seen.values()].map((entry) => entry.mail);
  const outcomes = acknowledgementOutcomes(view);
  // The SES emulator keeps sent mail in memory: mail sent just before a kill may never be
  // seen in its store, but the notifier's claim says SES took it.
  const { requestsByToken } = checkLetters(checks, view, accepted, mail, {
    unknownAcknowledgements: outcomes.unknown,
    sentButUnseen: outcomes.sent,
  });
  const doubled = unknownOutcome.filter(
    (sent) => (requestsByToken.get(sent.letter.token)?.length ?? 0) > 1,
  );
  checks.check(
    doubled.length === 0,
    `no letter without an answer became two requests (${unknownOutcome.length} such letters)`,
  );
  const places = [...view.filings.values()].map((filing) => filing.place);
  console.log(
    `  info ${unknownOutcome.filter((sent) => requestsByToken.has(sent.letter.token)).length} of the ${unknownOutcome.length} letters without an answer were stored anyway and filed; filings: ${places.filter((place) => place === 'request').length} request, ${places.filter((place) => place === 'held').length} held; ${view.held.length} held mail${view.held.length ? ` (${view.held.map((held) => `${held.reason}: ${held.subject ?? held.raw.key}`).join('; ')})` : ''}`,
  );
  const requestIds = new Set(view.requests.map((request) => request.id));
  const orphans = [...view.filings].filter(
    ([, filing]) => filing.place === 'request' && !requestIds.has(filing.requestId),
  );
  checks.check(
    orphans.length === 0,
    'every filing points at a request that exists',
    orphans
      .slice(0, 5)
      .map(([key, filing]) => `${key} -> ${filing.place === 'request' ? filing.requestId : ''}`)
      .join(', '),
  );
  const objects = await inboundObjects(names.INBOUND_BUCKET);
  checks.check(
    objects.every((key) => view.filings.has(key)),
    `every inbound object has exactly one filing (${objects.length} objects, ${view.filings.size} filings)`,
  );
  checkActions(checks, view, actions, actionsKilledAt);
  checkNotifications(checks, view);
  checkAuditChains(checks, view);
  const deadLetterFiles = [
    'intake-dead-letters.jsonl',
    'stream-notify-dead-letters.jsonl',
    'stream-publish-dead-letters.jsonl',
    'stream-rawMailRetention-dead-letters.jsonl',
  ].filter((file) => existsSync(join(dataDir, file)));
  checks.check(
    deadLetterFiles.length === 0,
    'nothing was dead-lettered',
    deadLetterFiles.join(', '),
  );
  const cutOff = /moved (\d+) incomplete S3 object/.exec(devLog())?.[1];
  if (cutOff)
    console.log(
      `  info ${cutOff} S3 upload(s) cut off by a kill (never answered 250) were moved out of s3rver's folder on restart`,
    );
  const leftovers = devLog()
    .split('\n')
    .filter((line) => line.includes('left running by a postroom that was killed'));
  console.log(
    `  info ${leftovers.length} emulator(s) were left running by a killed stack and stopped on restart`,
  );
} catch (error) {
  checks.check(false, 'the crash test ran to the end', (error as Error).stack ?? String(error));
} finally {
  await watch.stop();
  if (stack?.pid) {
    // A clean stop, as Ctrl-C would do it.
    process.kill(-stack.pid, 'SIGINT');
    await new Promise((resolve) => stack?.once('exit', resolve));
  }
}
const passed = checks.failures.length === 0;
if (passed) rmSync(dataDir, { recursive: true, force: true });
else console.log(`\nthe data folder and the stack's logs are kept in ${dataDir}`);
console.log(
  `\ntest:crash ${passed ? 'passed' : `FAILED (${checks.failures.length} check(s))`} in ${seconds(started)} s`,
);
process.exit(passed ? 0 : 1);
