import type { RequestRecord } from '../../shared/workflow/records.ts';

/**
 * A request as the workflow leaves it once its meeting is held (one attendee, Ann Lee of
 * Org Ltd), for unit tests of what is made from a request; `fields` replace any part.
 */
export function heldRequest(serial: number, fields: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: `r${serial}`,
    reference: `REQ-2026-${String(serial).padStart(4, '0')}`,
    stage: 'held',
    version: 3,
    eventSeq: 3,
    lastHash: '',
    subject: `Subject ${serial}`,
    sender: { name: 'Pat Writer', address: 'pat@org.example' },
    organisation: 'Org Ltd',
    receivedAt: '2026-06-01T09:00:00Z',
    replyBy: '2026-06-15',
    flags: [],
    messageCount: 1,
    lastMessageAt: '2026-06-01T09:00:00Z',
    meeting: {
      start: '2026-08-03T13:00:00Z',
      end: '2026-08-03T14:00:00Z',
      location: 'Edinburgh',
      attendees: [
        {
          name: 'Ann Lee',
          role: 'Director',
          organisation: 'Org Ltd',
          host: true,
          invitedGuest: false,
        },
      ],
      sequence: 0,
    },
    ...fields,
  };
}
