import { keys, stageIndex } from '../../shared/aws/keys.ts';
import type { PublishedMeeting } from '../../shared/publication/render.ts';
import { GENESIS_HASH } from '../../shared/workflow/audit.ts';
import type { RequestRecord } from '../../shared/workflow/records.ts';
import type { Stage } from '../../shared/workflow/stages.ts';

/** What an approved request may be seeded with; anything left out is plain and public. */
export interface ApprovedSeed {
  subject?: string;
  senderName?: string;
  senderAddress?: string;
  /** As intake inferred it: from a signature, or only from the address's domain. */
  organisation?: string;
  title?: string;
  body?: string;
  location?: string;
  attendee?: { name: string; role: string; organisation: string };
  /** Everyone who attended, when more than the one `attendee`. */
  attendees?: Array<{
    name: string;
    role: string;
    organisation: string;
    host: boolean;
    invitedGuest: boolean;
  }>;
  letter?: string;
  /** A text attachment, cleared by staff; none when left out. */
  attachmentName?: string;
  /** Its bytes and type, when not the one-line text enclosure. */
  attachment?: { body: string | Uint8Array; contentType: string };
  texts?: string[];
  publishAt?: string;
  start?: string;
  /**
   * The stage it stands at, for the routes that read or save the note before approval
   * (drafting, in_review); approved when left out.
   */
  stage?: Stage;
}

/**
 * An approved request with its letter, as intake and the workflow would leave it: the
 * table items and the document objects to store, for tests and benches that publish
 * without walking the workflow (or, with `stage`, that read and save its note). The
 * caller writes them with its own clients.
 */
export function approvedRequest(serial: number, seed: ApprovedSeed = {}) {
  const stage = seed.stage ?? 'approved';
  // In intake's shape (20 lower-case hex), so the staff API's routes accept the id.
  const id = `a0${String(serial).padStart(18, '0')}`;
  const text = `requests/${id}/messages/m1/body.txt`;
  const attachment = `requests/${id}/messages/m1/attachments/1`;
  const enclosure = seed.attachment?.body ?? 'An enclosure, cleared by staff.';
  const objects = [
    { key: text, body: seed.letter ?? 'Dear Commissioner,\n\nWe ask to meet.\n' },
    ...(seed.attachmentName ? [{ key: attachment, body: enclosure }] : []),
  ];
  const request: RequestRecord = {
    id,
    reference: `REQ-2026-${String(serial).padStart(4, '0')}`,
    stage,
    version: 9,
    eventSeq: 0,
    lastHash: GENESIS_HASH,
    subject: seed.subject ?? 'Meeting request',
    sender: {
      address: seed.senderAddress ?? 'writer@org.example',
      name: seed.senderName ?? 'Org Writer',
    },
    organisation: seed.organisation ?? 'Org Ltd',
    receivedAt: '2026-01-30T09:00:00.000Z',
    replyBy: '2026-02-13',
    flags: [],
    messageCount: 1,
    lastMessageAt: '2026-01-30T09:00:00.000Z',
    meeting: {
      start: seed.start ?? '2026-02-24T14:00:00Z',
      end: seed.start ?? '2026-02-24T15:00:00Z',
      location: seed.location ?? 'Edinburgh',
      attendees: seed.attendees ?? [
        {
          ...(seed.attendee ?? { name: 'Amir Khan', role: 'Director', organisation: 'Org Ltd' }),
          host: true,
          invitedGuest: false,
        },
      ],
      sequence: 0,
    },
    draft: {
      version: 1,
      title: seed.title ?? `Meeting ${serial}`,
      body: seed.body ?? '## Purpose\n\nTo discuss cameras.',
      editors: ['caseworker@office.example'],
    },
    redactions: {
      reinstated: [],
      texts: seed.texts ?? [],
      patterns: [],
      clearedAttachments: seed.attachmentName ? [attachment] : [],
    },
    ...(seed.publishAt ? { publishAt: seed.publishAt } : {}),
  };
  const items = [
    {
      ...keys.request(id),
      type: 'request',
      ...request,
      ...stageIndex.request(stage, '2026-03-01', id),
    },
    {
      ...keys.message(id, request.receivedAt, 'm1'),
      type: 'message',
      requestId: id,
      key: 'm1',
      direction: 'inbound',
      at: request.receivedAt,
      from: request.sender.address,
      to: [],
      subject: request.subject,
      documents: {
        text,
        attachments: seed.attachmentName
          ? [
              {
                key: attachment,
                filename: seed.attachmentName,
                contentType: seed.attachment?.contentType ?? 'text/plain',
                size:
                  typeof enclosure === 'string'
                    ? Buffer.byteLength(enclosure)
                    : enclosure.byteLength,
              },
            ]
          : [],
      },
    },
  ];
  return { request, items, objects };
}

/**
 * A meeting as an earlier publication left it in the listings (already public text), for
 * seeding a large site: the n-th falls on a day of 2026 spread over every month, so a
 * site of them fills every part of the year's archive.
 */
export function listedMeeting(n: number): PublishedMeeting {
  const day = `2026-${String(1 + (n % 12)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`;
  return {
    reference: `REQ-2026-${String(10_000 + n).padStart(5, '0')}`,
    title: `Meeting ${n}`,
    start: `${day}T10:00:00.000Z`,
    end: `${day}T11:00:00.000Z`,
    location: 'Edinburgh',
    organisations: [`Organisation ${n % 300}`],
    attendees: [
      {
        name: `Person ${n}`,
        role: 'Director',
        organisation: `Organisation ${n % 300}`,
        host: true,
        invitedGuest: false,
      },
    ],
    purposeSummary: `Purpose of meeting ${n}.`,
    noteMarkdown: '',
    letterText: '',
    letterDate: '2025-01-01T00:00:00.000Z',
    attachments: [],
    publishedAt: `${day}T12:00:00.000Z`,
    corrections: [],
  } as unknown as PublishedMeeting;
}
