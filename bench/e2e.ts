/**
 * npm run bench:e2e [-- --quick] — postroom as a user meets it: `npm run dev` started as
 * the README says, then, over 20 letters (5 with --quick), the time from the SMTP server's
 * 250 to the acknowledgement in the SES emulator's store, and the time from an approval
 * (the API's 200) to the meeting's page on the local public site. Prints p50 and p99 of
 * each. Target: p50 ≤ 2 s for each, locally.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createTransport } from 'nodemailer';
import { act, staffClient } from '../infra/local/staff-client.ts';
import { devPorts, startDevStack } from '../tests/support/dev-stack.ts';
import { plainLetter } from '../tests/support/letters.ts';
import { sesStore } from '../tests/support/ses-store.ts';
import { benchOptions, figure, reportFigures } from './lib/figures.ts';

const options = benchOptions();
const RUNS = options.quick ? 5 : 20;
const caseworker = 'cara.caseworker@office.example';
const approver = 'amir.approver@office.example';

const ports = await devPorts();
const dataDir = mkdtempSync(join(tmpdir(), 'postroom-bench-e2e-'));
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

/** Polls until `found` says yes, every 20 ms; the time it took, in ms. */
async function timeUntil(found: () => Promise<boolean>, what: string, since: number) {
  const deadline = since + 60_000;
  while (!(await found())) {
    if (performance.now() > deadline) throw new Error(`${what}: not seen within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return performance.now() - since;
}

let dev: ChildProcess | undefined;
try {
  console.log('starting npm run dev…');
  dev = await startDevStack({
    ports,
    dataDir,
    logFile: join(dataDir, 'dev.log'),
    env: { LOG_LEVEL: 'warn' },
  });

  const sent = sesStore(() => `http://127.0.0.1:${ports.ses}`);
  const api = staffClient(ports.api);
  const smtp = createTransport({ host: '127.0.0.1', port: ports.smtp, ignoreTLS: true });
  const acknowledged: number[] = [];
  const published: number[] = [];
  for (let run = 1; run <= RUNS; run += 1) {
    // Acknowledgement: a new letter, from its own sender, to the first mail that sender gets.
    const sender = `writer${run}@bench${run}.example`;
    const raw = plainLetter({ from: sender, subject: `A meeting, please (${run})` });
    const accepted = performance.now();
    await smtp.sendMail({ envelope: { from: sender, to: ['commissioner@office.example'] }, raw });
    acknowledged.push(
      await timeUntil(
        async () => (await sent.to(sender)).length > 0,
        `acknowledgement ${run}`,
        accepted,
      ),
    );

    // Publication: the same request taken to review, then approved by someone else.
    const listed = await api(caseworker, 'GET', '/api/requests?stage=received&limit=100');
    const request = (listed.body.items as Array<{ id: string; sender: { address: string } }>).find(
      (item) => item.sender.address === sender,
    );
    if (!request) throw new Error(`no request for ${sender}`);
    for (const [action, fields] of [
      ['accept', {}],
      [
        'schedule',
        {
          start: '2026-03-02T10:00:00Z',
          end: '2026-03-02T11:00:00Z',
          location: 'The office',
          attendees: [{ name: 'A Director', role: 'Director', organisation: `Bench ${run} Ltd` }],
        },
      ],
      ['record_held', {}],
      ['save_draft', { body: `## Purpose\n\nTo discuss benchmark ${run}.` }],
      ['submit_note', {}],
    ] as const) {
      const result = await act(api, caseworker, request.id, action, fields);
      if (result.status !== 200) throw new Error(`${action}: ${JSON.stringify(result.body)}`);
    }
    const approving = performance.now();
    const approval = await act(api, approver, request.id, 'approve');
    if (approval.status !== 200) throw new Error(`approve: ${JSON.stringify(approval.body)}`);
    const detail = await api(caseworker, 'GET', `/api/requests/${request.id}`);
    const reference = String(detail.body.reference).toLowerCase();
    const page = `http://127.0.0.1:${ports.site}/meetings/2026/${reference}/`;
    published.push(
      await timeUntil(async () => (await fetch(page)).status === 200, `page ${run}`, approving),
    );
    console.log(
      `  ${String(run).padStart(2)}: acknowledged in ${acknowledged.at(-1)?.toFixed(0)} ms, published in ${published.at(-1)?.toFixed(0)} ms`,
    );
  }
  smtp.close();
  const seconds = (ms: number) => ms / 1000;
  console.log(
    `\nacknowledgement: p50 ${seconds(percentile(acknowledged, 50)).toFixed(2)} s, p99 ${seconds(percentile(acknowledged, 99)).toFixed(2)} s`,
  );
  console.log(
    `publication:     p50 ${seconds(percentile(published, 50)).toFixed(2)} s, p99 ${seconds(percentile(published, 99)).toFixed(2)} s`,
  );
  reportFigures(
    [
      figure(
        'e2e',
        'SMTP 250 to acknowledgement sent, p50',
        seconds(percentile(acknowledged, 50)),
        's',
        {
          max: 2,
        },
      ),
      figure('e2e', 'approval to public page, p50', seconds(percentile(published, 50)), 's', {
        max: 2,
      }),
    ],
    options,
  );
} finally {
  if (dev?.pid) {
    try {
      process.kill(-dev.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
    try {
      process.kill(-dev.pid, 'SIGKILL');
    } catch {
      // Stopped cleanly.
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
}
