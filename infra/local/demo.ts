import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTransport } from 'nodemailer';
import { act, type StaffClient, staffClient } from './staff-client.ts';
import { seededUsers } from './users.ts';

/**
 * `npm run dev -- --demo`: a few realistic requests in different stages, so the staff UI
 * has something to show. Each letter arrives by SMTP and each step is a real staff API
 * call, so the data, audit trail, mail and public pages are exactly what use would make.
 */
const letters = fileURLToPath(new URL('../../tests/fixtures/mail/', import.meta.url));
const staffIn = (role: string, nth = 0) =>
  seededUsers.filter((user) => (user.groups as readonly string[]).includes(role))[nth]?.email ?? '';
const caseworker = staffIn('caseworker');
const otherCaseworker = staffIn('caseworker', 1);
const approver = staffIn('approver');

const day = 86_400_000;
const at = (days: number, hour: number) => {
  const date = new Date(Date.now() + days * day);
  date.setUTCHours(hour, 0, 0, 0);
  return date.toISOString();
};

interface Host {
  name: string;
  role: string;
  organisation: string;
  email: string;
}

function meeting(days: number, host: Host) {
  return {
    start: at(days, 10),
    end: at(days, 11),
    location: 'Room 2, The Commissioner’s Office, Edinburgh',
    attendees: [
      { ...host, host: true },
      { name: 'Priya Shah', role: 'Policy Adviser', organisation: host.organisation },
      {
        name: 'The Commissioner',
        role: 'Commissioner',
        organisation: 'The Commissioner’s Office',
        invitedGuest: true,
      },
      { name: 'Dr Alan Reid', role: 'Head of Policy', organisation: 'The Commissioner’s Office' },
      { name: 'Morag Finlay', role: 'Note-taker', organisation: 'The Commissioner’s Office' },
    ],
  };
}

const note = (organisation: string) => `## Purpose of the meeting

${organisation} asked to meet the Commissioner to explain its plans and hear the office's view.[^1]

## Points of discussion

- How the proposals would affect people who rely on the service.
- What evidence ${organisation} has gathered, and what it would publish.
- The timetable for the next consultation.

## Conclusion

The Commissioner agreed to write to ${organisation} setting out the office's position.

[^1]: See the letter published beside this note.`;

async function step(api: StaffClient, as: string, id: string, action: string, fields = {}) {
  const result = await act(api, as, id, action, fields);
  if (result.status !== 200)
    throw new Error(`demo: ${action} failed (${result.status}): ${JSON.stringify(result.body)}`);
}

export async function seedDemo(options: {
  apiPort: number;
  smtpPort: number;
  officeAddress: string;
  /** Waits until intake and every stream consumer have caught up. */
  settle(): Promise<void>;
  progress(message: string): void;
}): Promise<void> {
  const api = staffClient(options.apiPort);
  const transport = createTransport({
    host: '127.0.0.1',
    port: options.smtpPort,
    secure: false,
    ignoreTLS: true,
  });
  const known = new Set<string>();
  /** Sends one fixture letter and returns the id of the request it became. */
  const deliver = async (file: string, from: string): Promise<string> => {
    await transport.sendMail({
      envelope: { from, to: [options.officeAddress] },
      raw: readFileSync(join(letters, file)),
    });
    await options.settle();
    const listed = await api(caseworker, 'GET', '/api/requests?limit=100');
    const fresh = (listed.body.items as Array<{ id: string }>).find((item) => !known.has(item.id));
    if (!fresh) throw new Error(`demo: ${file} did not become a request`);
    known.add(fresh.id);
    return fresh.id;
  };

  /** Accepted, met some days ago, noted and submitted for approval. */
  const submitNote = async (id: string, host: Host, daysAgo: number, topic: string) => {
    await step(api, caseworker, id, 'accept');
    await step(api, caseworker, id, 'schedule', meeting(-daysAgo, host));
    await step(api, caseworker, id, 'record_held');
    await step(api, caseworker, id, 'save_draft', {
      title: `Meeting with ${host.organisation} about ${topic}`,
      body: note(host.organisation),
    });
    await step(api, caseworker, id, 'submit_note');
  };

  options.progress('demo: a letter published with its note (LumenCam)');
  const published = await deliver('01-letter-pdf.eml', 'vp.publicaffairs@lumencam.example');
  await submitNote(
    published,
    {
      name: 'Helen Marsh',
      role: 'VP Public Affairs',
      organisation: 'LumenCam Ltd',
      email: 'vp.publicaffairs@lumencam.example',
    },
    12,
    'cameras and public safety',
  );
  await step(api, approver, published, 'approve');

  options.progress('demo: a note waiting for approval (Riverside Youth)');
  const inReview = await deliver('02-docx-charity.eml', 'g.whitfield@riversideyouth.example');
  await submitNote(
    inReview,
    {
      name: 'Grace Whitfield',
      role: 'Director',
      organisation: 'Riverside Youth Trust',
      email: 'g.whitfield@riversideyouth.example',
    },
    5,
    'youth services',
  );

  options.progress('demo: a meeting next week (drone operators)');
  const scheduled = await deliver('03-pdf-and-docx.eml', 'm.ellison@droneoperators.example');
  await step(api, caseworker, scheduled, 'accept');
  await step(
    api,
    caseworker,
    scheduled,
    'schedule',
    meeting(7, {
      name: 'Mark Ellison',
      role: 'Chief Executive',
      organisation: 'Drone Operators Association',
      email: 'm.ellison@droneoperators.example',
    }),
  );

  options.progress('demo: an accepted request, a declined one, two new letters and held mail');
  const accepted = await deliver('28-rfc2231-filename.eml', 'contact@lettre.example');
  await step(api, caseworker, accepted, 'accept');
  await step(api, caseworker, accepted, 'assign', { assignee: otherCaseworker });
  const declined = await deliver('30-cc-multiple-to-reply-to.eml', 'sender@example.org');
  await step(api, caseworker, declined, 'decline', {
    reason: 'The matter is for the local authority, not the Commissioner.',
  });
  await deliver('22-freemail-signature.eml', 'sender@example.org');
  await deliver('26-auth-fail.eml', 'sender@example.org');
  // Held mail: a bounce that matches nothing, and mail with no usable sender.
  for (const file of ['14-dsn-bounce.eml', '18-missing-from.eml']) {
    await transport.sendMail({
      envelope: { from: 'mailer-daemon@example.org', to: [options.officeAddress] },
      raw: readFileSync(join(letters, file)),
    });
  }
  await options.settle();
  transport.close();
}
