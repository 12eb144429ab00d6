import { describe, expect, it } from 'vitest';
import { inferOrganisation } from '../../shared/mail/organisation.ts';

const letter = (...lines: string[]) => lines.join('\n');

describe('inferOrganisation', () => {
  it('takes the organisation line of the signature after "Kind regards"', () => {
    const text = letter(
      'Dear Commissioner,',
      '',
      'We would welcome a meeting about public safety.',
      '',
      'Kind regards,',
      '',
      'Helen Marsh',
      'Vice President, Public Affairs',
      'LumenCam Ltd',
      'Tel: +44 20 7946 0321',
    );
    expect(inferOrganisation(text, 'vp.publicaffairs@lumencam.example')).toEqual({
      name: 'LumenCam Ltd',
      source: 'signature',
    });
  });

  it('takes the organisation, not the role beside it, from a line that gives both', () => {
    const signed = (line: string) =>
      inferOrganisation(letter('Hello,', '', 'Kind regards,', 'Lena Okafor', line), 'l@x.example')
        ?.name;
    expect(signed('Chief Executive, Eastshire Wildlife Trust')).toBe('Eastshire Wildlife Trust');
    expect(signed('Head of Policy at LumenCam Ltd')).toBe('LumenCam Ltd');
    expect(signed('Board Member | Harbour Trust')).toBe('Harbour Trust');
    expect(signed('Director of Policy, Campaign for Better Transport.')).toBe(
      'Campaign for Better Transport',
    );
    // A comma in the name itself, or after it, is no role.
    expect(signed('Smith, Jones & Co LLP')).toBe('Smith, Jones & Co LLP');
    expect(signed('Harbour Trust, Quay Street')).toBe('Harbour Trust, Quay Street');
  });

  it('reads CRLF text the same way', () => {
    const text = ['Hello,', '', 'Kind regards,', 'Helen Marsh', 'LumenCam Ltd'].join('\r\n');
    expect(inferOrganisation(text, 'h@lumencam.example')?.name).toBe('LumenCam Ltd');
  });

  it('takes the signature after a "-- " separator', () => {
    const text = letter(
      'Please could we meet in March?',
      '',
      '-- ',
      'Ruth Campbell',
      'Policy Officer',
      'Scottish Coastal Communities Trust',
    );
    expect(inferOrganisation(text, 'ruth.campbell@mailbox.example')).toEqual({
      name: 'Scottish Coastal Communities Trust',
      source: 'signature',
    });
  });

  it('drops a trailing full stop or comma from the organisation line', () => {
    const text = letter(
      'Hello,',
      '',
      'Yours sincerely,',
      'Mark Ellison',
      'Association of Drone Operators.',
    );
    expect(inferOrganisation(text, 'm@droneoperators.example')?.name).toBe(
      'Association of Drone Operators',
    );
  });

  it('ignores contact lines (email, web, phone) in the signature', () => {
    const text = letter(
      'Hello,',
      '',
      'Best regards,',
      'Jo Bloggs',
      'jo@trust-charity.example',
      'https://www.trust.example/',
      '+44 20 7946 0000',
    );
    expect(inferOrganisation(text, 'jo@trust-charity.example')).toEqual({
      name: 'trust-charity.example',
      source: 'domain',
    });
  });

  it('falls back to the sender’s domain when the signature names no organisation', () => {
    const text = letter('Dear Commissioner,', '', 'Could we meet?', '', 'Kind regards,', 'Sam');
    expect(inferOrganisation(text, 'sam@Greenfieldhomes.Example')).toEqual({
      name: 'greenfieldhomes.example',
      source: 'domain',
    });
  });

  it.each(['gmail.com', 'hotmail.co.uk', 'outlook.com', 'proton.me'])(
    'returns undefined for a %s sender with no organisation in the signature',
    (domain) => {
      const text = letter('Dear Commissioner,', '', 'Could we meet?', '', 'Kind regards,', 'Sam');
      expect(inferOrganisation(text, `sam@${domain}`)).toBeUndefined();
    },
  );

  it('still finds a signature organisation for a public mailbox sender', () => {
    const text = letter('Could we meet?', '', 'Thanks,', 'Sam', 'Riverside Youth Trust');
    expect(inferOrganisation(text, 'sam@gmail.com')).toEqual({
      name: 'Riverside Youth Trust',
      source: 'signature',
    });
  });

  it('returns undefined for an address with no domain and no signature organisation', () => {
    expect(inferOrganisation('Hello', 'not-an-address')).toBeUndefined();
  });

  it('looks at the last lines when there is no valediction or separator', () => {
    const text = letter(
      'Hello,',
      '',
      'Please call me.',
      '',
      'Grace Whitfield',
      'Riverside Youth Trust',
    );
    expect(inferOrganisation(text, 'g@gmail.com')?.name).toBe('Riverside Youth Trust');
  });

  // Found in review: the signature window used to run on into the quoted original of a
  // reply, so "> I am writing on behalf of LumenCam Ltd, ..." became the organisation.
  it('does not take a quoted line of an earlier message as the organisation', () => {
    const text = letter(
      'Our Chief Executive is also available on 24 February.',
      '',
      'Kind regards,',
      '',
      'Helen',
      '',
      'On Fri, 30 Jan 2026 at 09:12, Helen Marsh <vp.publicaffairs@lumencam.example> wrote:',
      '> Dear Commissioner,',
      '>',
      '> I am writing on behalf of LumenCam Ltd, the UK manufacturer of body-worn and',
      '> fixed-site cameras, to ask whether you would be willing to meet us.',
    );
    const organisation = inferOrganisation(text, 'vp.publicaffairs@lumencam.example');
    expect(organisation?.name).not.toMatch(/^>/);
  });
});
