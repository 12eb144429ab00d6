import { beforeAll, describe, expect, it } from 'vitest';
import { forNoOrganisation, publicCopy } from '../../shared/publication/public-copy.ts';
import { redactionReady } from '../../shared/publication/redaction.ts';
import type { Site } from '../../shared/publication/render.ts';
import type { RequestRecord } from '../../shared/workflow/records.ts';
import type { Attendee } from '../../shared/workflow/transitions.ts';
import { heldRequest } from '../support/request-record.ts';

// The public copy redacts, which needs the phone detector loaded, as publication loads it.
beforeAll(() => redactionReady(undefined));

/**
 * Who the public copy names among the attendees: officials by name, private individuals
 * never, however staff listed them.
 */
const site: Site = {
  officeName: 'The Commissioner’s Office',
  baseUrl: 'https://meetings.example/',
  timeZone: 'Europe/London',
};
const now = new Date('2026-11-01T09:00:00Z');
const attendee = (name: string, role: string, organisation: string): Attendee => ({
  name,
  role,
  organisation,
  host: false,
  invitedGuest: false,
});
const commissioner = { ...attendee('Alex Reid', 'Commissioner', site.officeName), host: true };

function request(fields: Partial<RequestRecord>, attendees: Attendee[]): RequestRecord {
  const held = heldRequest(1, { stage: 'approved' });
  return {
    ...held,
    meeting: { ...(held.meeting as NonNullable<RequestRecord['meeting']>), attendees },
    ...fields,
  };
}

const letterOf = (text: string) => ({ text, at: '2026-06-01T09:00:00Z', attachments: [] });

/** Every text the public copy carries, run together, to look for a name in. */
const everyText = (copy: ReturnType<typeof publicCopy>) => JSON.stringify(copy);

describe('the public copy of the people at a meeting', () => {
  it('never names a private writer whom staff listed as attending, with a role', () => {
    const writer = attendee('Margaret Thistlewood', 'Resident', 'Private individual');
    const copy = publicCopy(
      request(
        {
          sender: { name: 'Margaret Thistlewood', address: 'margaret@fastmail.example' },
          organisation: 'fastmail.example',
          draft: {
            version: 1,
            title: 'Meeting about the bus stop',
            body: '## Purpose\n\nMargaret Thistlewood asked about the bus stop.',
            savedBy: 'cara@office.example',
            savedAt: '2026-08-04T09:00:00Z',
            editors: ['cara@office.example'],
          },
        },
        [writer, commissioner],
      ),
      letterOf('Dear Commissioner,\n\nThe bus stop.\n\nYours sincerely,\nMargaret Thistlewood'),
      site,
      now,
    );
    expect(everyText(copy)).not.toContain('Thistlewood');
    expect(everyText(copy)).not.toContain('fastmail');
    expect(copy.attendees.map((a) => a.name)).toEqual(['[redacted]', 'Alex Reid']);
    // Neither the guessed domain nor "Private individual" is an organisation met.
    expect(copy.organisations).toEqual([]);
  });

  it('never names an attendee who came for no organisation, even at an organisation’s meeting', () => {
    const copy = publicCopy(
      request({}, [
        attendee('Pat Writer', 'Director', 'Org Ltd'),
        attendee('Robin Quayle', 'Resident', 'Member of the public'),
        commissioner,
      ]),
      letterOf('Dear Commissioner,\n\nRobin Quayle will come too.\n\nPat Writer'),
      site,
      now,
    );
    expect(copy.attendees.map((a) => a.name)).toEqual(['Pat Writer', '[redacted]', 'Alex Reid']);
    expect(everyText(copy)).not.toContain('Quayle');
    expect(copy.organisations).toEqual(['Org Ltd']);
  });

  it('names a writer who came for their organisation, as an official', () => {
    const copy = publicCopy(
      request({}, [attendee('Pat Writer', 'Director', 'Org Ltd'), commissioner]),
      letterOf('Dear Commissioner,\n\nPat Writer'),
      site,
      now,
    );
    expect(copy.attendees.map((a) => a.name)).toEqual(['Pat Writer', 'Alex Reid']);
  });

  it('reads the usual ways of writing "for no organisation", and nothing else', () => {
    for (const none of [
      'Private individual',
      'private',
      ' Member of the public ',
      'Self',
      'N/A',
      '-',
    ])
      expect(forNoOrganisation(none), none).toBe(true);
    for (const some of ['Private Eye Ltd', 'Individual Rights Trust', 'Selfridges', 'NA Holdings'])
      expect(forNoOrganisation(some), some).toBe(false);
  });
});
