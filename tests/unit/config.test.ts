import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../shared/config.ts';

const complete = {
  TABLE_NAME: 'postroom',
  INBOUND_BUCKET: 'postroom-inbound',
  DOCUMENTS_BUCKET: 'postroom-documents',
  PUBLIC_BUCKET: 'postroom-public',
  SITE_BASE_URL: 'https://meetings.example.org/',
  OFFICE_ADDRESS: 'commissioner@office.example',
  STAFF_ALERT_ADDRESS: 'triage@office.example',
};

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('readConfig', () => {
  it('returns the values asked for', () => {
    expect(readConfig(['TABLE_NAME', 'OFFICE_ADDRESS'], complete)).toEqual({
      TABLE_NAME: 'postroom',
      OFFICE_ADDRESS: 'commissioner@office.example',
    });
  });

  it('returns only the keys asked for', () => {
    expect(Object.keys(readConfig(['TABLE_NAME'], complete))).toEqual(['TABLE_NAME']);
  });

  it('fills in defaults for unset optional values', () => {
    const config = readConfig(
      [
        'OFFICE_NAME',
        'OFFICE_TIMEZONE',
        'REPLY_WORKING_DAYS',
        'ACK_LIMIT_PER_HOUR',
        'NOTE_WORKING_DAYS',
        'SEPARATE_APPROVAL',
        'APPROVER_ADDRESSES',
        'MAX_MESSAGE_BYTES',
        'MAX_MIME_PARTS',
        'MAX_MIME_DEPTH',
        'LOG_LEVEL',
        'BANK_HOLIDAYS_FILE',
      ],
      {},
    );
    expect(config).toEqual({
      OFFICE_NAME: 'The Commissioner’s Office',
      OFFICE_TIMEZONE: 'Europe/London',
      REPLY_WORKING_DAYS: 10,
      ACK_LIMIT_PER_HOUR: 5,
      NOTE_WORKING_DAYS: 10,
      SEPARATE_APPROVAL: true,
      APPROVER_ADDRESSES: [],
      MAX_MESSAGE_BYTES: 40 * 1024 * 1024,
      MAX_MIME_PARTS: 250,
      MAX_MIME_DEPTH: 32,
      LOG_LEVEL: 'info',
      BANK_HOLIDAYS_FILE: undefined,
    });
  });

  it('turns strings into typed values', () => {
    const config = readConfig(
      ['REPLY_WORKING_DAYS', 'SEPARATE_APPROVAL', 'APPROVER_ADDRESSES', 'LOG_LEVEL'],
      {
        REPLY_WORKING_DAYS: '20',
        SEPARATE_APPROVAL: 'false',
        APPROVER_ADDRESSES: ' a@office.example, b@office.example ,,',
        LOG_LEVEL: 'warn',
      },
    );
    expect(config).toEqual({
      REPLY_WORKING_DAYS: 20,
      SEPARATE_APPROVAL: false,
      APPROVER_ADDRESSES: ['a@office.example', 'b@office.example'],
      LOG_LEVEL: 'warn',
    });
  });

  it('ignores a problem in a variable that was not asked for', () => {
    expect(readConfig(['TABLE_NAME'], { ...complete, OFFICE_ADDRESS: 'nope' })).toEqual({
      TABLE_NAME: 'postroom',
    });
  });

  it('names every bad variable in one ConfigError', () => {
    const { TABLE_NAME: _unset, ...withoutTable } = complete;
    const error = configError(() =>
      readConfig(['TABLE_NAME', 'OFFICE_ADDRESS', 'INBOUND_BUCKET'], {
        ...withoutTable,
        OFFICE_ADDRESS: 'not-an-email',
      }),
    );
    expect(error.name).toBe('ConfigError');
    expect(error.message).toMatch(/^postroom configuration is invalid:/);
    expect(error.message).toMatch(/TABLE_NAME: .*\(it is not set\) - the DynamoDB table/);
    expect(error.message).toMatch(/OFFICE_ADDRESS: .*\(got "not-an-email"\)/);
    expect(error.message).not.toContain('INBOUND_BUCKET');
  });

  it('rejects a site URL without a trailing slash', () => {
    const error = configError(() =>
      readConfig(['SITE_BASE_URL'], { SITE_BASE_URL: 'https://meetings.example.org' }),
    );
    expect(error.message).toContain('SITE_BASE_URL: must end with a slash');
  });

  it.each([
    ['REPLY_WORKING_DAYS', '0'],
    ['REPLY_WORKING_DAYS', 'ten'],
    ['MAX_MIME_PARTS', '2.5'],
    ['SEPARATE_APPROVAL', 'yes'],
    ['LOG_LEVEL', 'debug'],
  ] as const)('rejects %s=%s', (key, value) => {
    const error = configError(() => readConfig([key], { [key]: value }));
    expect(error.message).toContain(`${key}: `);
    expect(error.message).toContain(`got ${JSON.stringify(value)}`);
  });

  it('takes any IANA time zone for OFFICE_TIMEZONE', () => {
    for (const zone of ['America/New_York', 'Asia/Tokyo', 'UTC'])
      expect(readConfig(['OFFICE_TIMEZONE'], { OFFICE_TIMEZONE: zone })).toEqual({
        OFFICE_TIMEZONE: zone,
      });
  });

  it.each(['Europe/Londres', 'GMT+1 (summer)', ''])(
    'refuses OFFICE_TIMEZONE=%j, saying what a time zone looks like',
    (zone) => {
      const error = configError(() => readConfig(['OFFICE_TIMEZONE'], { OFFICE_TIMEZONE: zone }));
      expect(error.message).toContain(
        `OFFICE_TIMEZONE: is not a time zone; give an IANA name such as Europe/London or America/New_York (got ${JSON.stringify(zone)})`,
      );
      expect(error.message).toContain('every date postroom shows or sends is on its clock');
    },
  );

  it('treats an empty required value as a problem', () => {
    const error = configError(() => readConfig(['TABLE_NAME'], { TABLE_NAME: '' }));
    expect(error.message).toContain('TABLE_NAME: ');
  });
});
