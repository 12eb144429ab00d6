import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { provision, resourceNames } from '../../infra/local/cloud.ts';
import { seededStaffSetting } from '../../infra/local/users.ts';

/**
 * Runs before each integration test file: points the SDK at the emulators and gives the
 * file a table and buckets of its own, so files never see each other's requests.
 */
const names = resourceNames(`t${randomBytes(5).toString('hex')}`);
Object.assign(process.env, inject('emulatorEnvironment'), names, {
  OFFICE_NAME: 'The Commissioner’s Office',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
  OFFICE_ADDRESS: 'commissioner@office.example',
  STAFF_ALERT_ADDRESS: `staff-${names.TABLE_NAME}@office.example`,
  APPROVER_ADDRESSES: 'amir.approver@office.example',
  SITE_BASE_URL: 'http://127.0.0.1:3001/',
  // Tests run at any hour; the digest must not wait for the morning.
  DIGEST_HOUR: '0',
  STAFF_USERS: seededStaffSetting(),
});
await provision(names);
