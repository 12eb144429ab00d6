import { readFileSync } from 'node:fs';
import type { Settings } from '../config.ts';
import type { IntakeRules } from '../intake/receive-mail.ts';
import { log } from '../log.ts';
import type { NotifyRules } from '../notify/send-notifications.ts';
import type { Site } from '../publication/render.ts';
import type { ReturnRules, ReturnSitePorts } from '../publication/return-site.ts';
import type { DisposalRules } from '../retention/disposal.ts';
import type { SweepSettings } from '../sweep/digest.ts';
import type { ActRules } from '../workflow/act.ts';
import {
  type HolidayCalendar,
  holidayCalendar,
  scottishBankHolidays,
} from '../workflow/deadlines.ts';
import { cataloguePorts } from './catalogue-ports.ts';
import { disposalPorts } from './disposal-ports.ts';
import { readObject, writeObject } from './documents.ts';
import { deadLetterPorts, intakePorts } from './intake-ports.ts';
import { mailer } from './mailer.ts';
import { notificationStore } from './notification-store.ts';
import { publishPorts } from './publish-ports.ts';
import { reportPorts } from './report-ports.ts';
import { retentionPorts } from './retention-ports.ts';
import { returnPorts } from './return-ports.ts';
import { searchPorts } from './search-ports.ts';
import { staffDirectory } from './staff-directory.ts';
import { caseworkPorts, staffPorts } from './staff-ports.ts';
import { suppressionList } from './suppression-list.ts';
import { auditDigestPorts, sweepPorts } from './sweep-ports.ts';
import { textLayers, textReadRecorder } from './text-layers.ts';

/**
 * What each function runs with: its ports, bound to the real table, buckets and SES, and
 * its rules, built from its settings. A handler passes the settings infra/functions.ts
 * declares for it, as readConfig parsed them:
 *
 *   const { ports, rules } = wiring.intakeMail(readConfig(functions.intakeMail.env));
 *
 * Each builder names the settings it reads in its parameter type, so a declaration that
 * leaves one out fails the type check, rather than the function running on a default the
 * stack never meant to set. (shared/ never imports infra/: the declaration comes in from
 * the handler.) One builder per function, each a separate export, so a bundle keeps only
 * the ports its function uses.
 */

/**
 * The bank holidays deadlines count: the bundled Scottish calendar, or the file an office
 * names in BANK_HOLIDAYS_FILE. Read once, at cold start, so a bad file stops the function
 * before it touches any mail.
 */
export function loadHolidayCalendar(file?: string): HolidayCalendar {
  let calendar: HolidayCalendar;
  try {
    calendar = file
      ? holidayCalendar(JSON.parse(readFileSync(file, 'utf8')))
      : scottishBankHolidays;
  } catch (error) {
    throw new Error(
      `BANK_HOLIDAYS_FILE ${file} is not a usable calendar: expected JSON like ` +
        `{"events":[{"date":"2026-12-25","title":"Christmas Day"}]} (${(error as Error).message})`,
    );
  }
  if (new Date().getFullYear() > calendar.lastYear) {
    log.warn(
      'the bank-holiday calendar has no dates for this year; deadlines count weekends only',
      {
        lastYear: calendar.lastYear,
        fix: 'add this year to shared/workflow/bank-holidays.scotland.json or set BANK_HOLIDAYS_FILE',
      },
    );
  }
  return calendar;
}

/** How deadlines are counted: in the office's days, skipping its bank holidays. */
type CalendarSettings = Settings<'OFFICE_TIMEZONE' | 'BANK_HOLIDAYS_FILE'>;
/** Staff actions and publication: the note deadline, and who may approve. */
type ActSettings = CalendarSettings &
  Settings<'NOTE_WORKING_DAYS' | 'REPLY_WORKING_DAYS' | 'SEPARATE_APPROVAL'>;
/** Filing mail: the reply deadline, and how much MIME is too much. */
type IntakeSettings = CalendarSettings &
  Settings<'REPLY_WORKING_DAYS' | 'MAX_MESSAGE_BYTES' | 'MAX_MIME_PARTS' | 'MAX_MIME_DEPTH'>;
type SiteSettings = Settings<'OFFICE_NAME' | 'SITE_BASE_URL' | 'OFFICE_TIMEZONE'>;

const actRules = (config: ActSettings, calendar: HolidayCalendar): ActRules => ({
  calendar,
  timeZone: config.OFFICE_TIMEZONE,
  noteWorkingDays: config.NOTE_WORKING_DAYS,
  replyWorkingDays: config.REPLY_WORKING_DAYS,
  separateApproval: config.SEPARATE_APPROVAL,
});

const intakeRules = (config: IntakeSettings, calendar: HolidayCalendar): IntakeRules => ({
  calendar,
  timeZone: config.OFFICE_TIMEZONE,
  replyWorkingDays: config.REPLY_WORKING_DAYS,
  limits: {
    maxBytes: config.MAX_MESSAGE_BYTES,
    maxParts: config.MAX_MIME_PARTS,
    maxDepth: config.MAX_MIME_DEPTH,
  },
});

const site = (config: SiteSettings): Site => ({
  officeName: config.OFFICE_NAME,
  baseUrl: config.SITE_BASE_URL,
  timeZone: config.OFFICE_TIMEZONE,
});

type PublishSettings = ActSettings &
  SiteSettings &
  Settings<'TABLE_NAME' | 'DOCUMENTS_BUCKET' | 'PUBLIC_BUCKET' | 'PUBLIC_DISTRIBUTION_ID'>;

const publication = (config: PublishSettings) =>
  publishPorts({
    table: config.TABLE_NAME,
    documents: config.DOCUMENTS_BUCKET,
    public: config.PUBLIC_BUCKET,
    timeZone: config.OFFICE_TIMEZONE,
    distributionId: config.PUBLIC_DISTRIBUTION_ID,
  });

export function intakeMail(config: IntakeSettings & Settings<'TABLE_NAME' | 'DOCUMENTS_BUCKET'>) {
  return {
    ports: intakePorts(config.TABLE_NAME, config.DOCUMENTS_BUCKET, config.OFFICE_TIMEZONE),
    rules: intakeRules(config, loadHolidayCalendar(config.BANK_HOLIDAYS_FILE)),
  };
}

export function intakeDeadLetters(config: Settings<'TABLE_NAME' | 'OFFICE_TIMEZONE'>) {
  return { ports: deadLetterPorts(config.TABLE_NAME, config.OFFICE_TIMEZONE) };
}

export function notify(
  config: Settings<
    | 'TABLE_NAME'
    | 'DOCUMENTS_BUCKET'
    | 'OFFICE_NAME'
    | 'OFFICE_ADDRESS'
    | 'OFFICE_TIMEZONE'
    | 'STAFF_ALERT_ADDRESS'
    | 'APPROVER_ADDRESSES'
    | 'ACK_LIMIT_PER_HOUR'
    | 'ACK_OFFICE_LIMIT_PER_HOUR'
    | 'STAFF_ALERTS_PER_HOUR'
    | 'SITE_BASE_URL'
    | 'SES_CONFIGURATION_SET'
  >,
) {
  const rules: NotifyRules = {
    officeName: config.OFFICE_NAME,
    officeAddress: config.OFFICE_ADDRESS,
    staffAlertAddress: config.STAFF_ALERT_ADDRESS,
    approverAddresses: config.APPROVER_ADDRESSES,
    timeZone: config.OFFICE_TIMEZONE,
    acknowledgementsPerHour: config.ACK_LIMIT_PER_HOUR,
    officeAcknowledgementsPerHour: config.ACK_OFFICE_LIMIT_PER_HOUR,
    staffAlertsPerHour: config.STAFF_ALERTS_PER_HOUR,
    siteBaseUrl: config.SITE_BASE_URL,
    now: () => new Date(),
  };
  return {
    ports: {
      ...notificationStore(config.TABLE_NAME, config.OFFICE_TIMEZONE),
      suppressionOf: suppressionList(config.TABLE_NAME).suppressionOf,
      sendRawMail: mailer(config.SES_CONFIGURATION_SET).sendRawMail,
      /** A copy of each sent message beside the request's documents. */
      async keepCopy(key: string, raw: string) {
        const copy = { bucket: config.DOCUMENTS_BUCKET, key };
        await writeObject(copy, raw, 'message/rfc822');
        return copy;
      },
      readCopy: async (copy: { bucket: string; key: string }) =>
        new TextDecoder().decode(await readObject(copy)),
    },
    rules,
  };
}

type StaffSettings = ActSettings &
  IntakeSettings &
  SiteSettings &
  Settings<'TABLE_NAME' | 'DOCUMENTS_BUCKET'>;

/** What every staff function needs: requests, notes, held mail, and the office's rules. */
function staffContext(config: StaffSettings) {
  const calendar = loadHolidayCalendar(config.BANK_HOLIDAYS_FILE);
  return {
    ports: staffPorts(config.TABLE_NAME, config.DOCUMENTS_BUCKET, config.OFFICE_TIMEZONE),
    rules: actRules(config, calendar),
    /** Held mail opened as a request is filed as intake would file it. */
    intakeRules: intakeRules(config, calendar),
    site: site(config),
  };
}

/** The casework function: the staff context, and the staff directory for assigning. */
export function staffApi(config: StaffSettings & Settings<'USER_POOL_ID' | 'STAFF_USERS'>) {
  return { ...staffContext(config), directory: staffDirectory(config) };
}

/** The correspondence function: the staff context, uploads, templates and replies. */
export function staffCorrespondence(config: StaffSettings & Settings<'OFFICE_ADDRESS'>) {
  return {
    ...staffContext(config),
    ports: caseworkPorts(config.TABLE_NAME, config.DOCUMENTS_BUCKET, config.OFFICE_TIMEZONE),
    office: {
      officeName: config.OFFICE_NAME,
      officeAddress: config.OFFICE_ADDRESS,
      timeZone: config.OFFICE_TIMEZONE,
    },
  };
}

/**
 * The records function: the staff context, what the quarterly return reads, the catalogue
 * the reports are made from, and the catalogue's search index, each of its objects loaded
 * when first needed and fetched again only when the catalogue rewrote it.
 */
export function staffRecords(config: StaffSettings & Settings<'OFFICE_HOLDER'>) {
  const context = staffContext(config);
  return {
    ...context,
    ports: { ...context.ports, ...searchPorts(config.DOCUMENTS_BUCKET) },
    returns: returnPorts(config.TABLE_NAME, config.DOCUMENTS_BUCKET),
    officeHolder: config.OFFICE_HOLDER,
    reports: reportPorts(config.DOCUMENTS_BUCKET),
    reportRules: { timeZone: config.OFFICE_TIMEZONE, calendar: context.rules.calendar },
  };
}

/**
 * The quarterly returns on the public site: publication's ports with what a return reads,
 * and the settings that shape it.
 */
const returnSite = (
  config: PublishSettings & Settings<'OFFICE_HOLDER'>,
  publicationPorts: ReturnType<typeof publication>,
  calendar: HolidayCalendar,
  workingDays: number,
) => ({
  returnSite: {
    ...publicationPorts,
    ...returnPorts(config.TABLE_NAME, config.DOCUMENTS_BUCKET),
  } satisfies ReturnSitePorts,
  returnRules: { officeHolder: config.OFFICE_HOLDER, workingDays, calendar } satisfies ReturnRules,
});

export function publish(config: PublishSettings & Settings<'OFFICE_HOLDER'>) {
  const ports = publication(config);
  const calendar = loadHolidayCalendar(config.BANK_HOLIDAYS_FILE);
  return {
    ports,
    site: site(config),
    /** Recording the publication is an action, decided by the staff API's rules. */
    rules: actRules(config, calendar),
    // A correction or takedown of a meeting whose quarter's return is out rewrites it;
    // the due date is the sweep's concern, not publication's.
    ...returnSite(config, ports, calendar, 0),
  };
}

export function sweep(
  config: PublishSettings &
    Settings<
      | 'OFFICE_ADDRESS'
      | 'STAFF_ALERT_ADDRESS'
      | 'DIGEST_HOUR'
      | 'SES_CONFIGURATION_SET'
      | 'OFFICE_HOLDER'
      | 'RETURN_WORKING_DAYS'
    >,
) {
  const settings: SweepSettings = {
    digestHour: config.DIGEST_HOUR,
    officeName: config.OFFICE_NAME,
    officeAddress: config.OFFICE_ADDRESS,
    staffAlertAddress: config.STAFF_ALERT_ADDRESS,
    timeZone: config.OFFICE_TIMEZONE,
  };
  const publicationPorts = publication(config);
  const calendar = loadHolidayCalendar(config.BANK_HOLIDAYS_FILE);
  return {
    ports: sweepPorts(config.TABLE_NAME, config.SES_CONFIGURATION_SET),
    /** The daily audit digest: every chain's head, published to the public site. */
    auditDigest: auditDigestPorts(config.TABLE_NAME, config.PUBLIC_BUCKET),
    /** Embargoed notes are published by the sweep, as publish would publish them. */
    publication: publicationPorts,
    site: site(config),
    rules: actRules(config, calendar),
    settings,
    /** Each quarter's return, published once it is due. */
    ...returnSite(config, publicationPorts, calendar, config.RETURN_WORKING_DAYS),
  };
}

export function rawMailRetention(config: Settings<'TABLE_NAME'>) {
  return { ports: retentionPorts(config.TABLE_NAME) };
}

export function disposeRequests(
  config: Settings<
    | 'TABLE_NAME'
    | 'INBOUND_BUCKET'
    | 'DOCUMENTS_BUCKET'
    | 'OFFICE_TIMEZONE'
    | 'REQUEST_RETENTION_DAYS'
  >,
) {
  const rules: DisposalRules = {
    retentionDays: config.REQUEST_RETENTION_DAYS,
    timeZone: config.OFFICE_TIMEZONE,
  };
  return {
    ports: disposalPorts({
      table: config.TABLE_NAME,
      inbound: config.INBOUND_BUCKET,
      documents: config.DOCUMENTS_BUCKET,
    }),
    rules,
  };
}

export function sendingFeedback(config: Settings<'TABLE_NAME'>) {
  return { ports: suppressionList(config.TABLE_NAME) };
}

/**
 * Text extraction's storage. Its PDF reader is added by the handler, which alone imports
 * pdf.js (shared/attachments/pdf-text.ts).
 */
export function extractText(config: Settings<'TABLE_NAME' | 'DOCUMENTS_BUCKET'>) {
  return {
    ports: textLayers(config.DOCUMENTS_BUCKET).extraction,
    /** Tells the catalogue (through the stream) that a message's text is there to index. */
    recordTextRead: textReadRecorder(config.TABLE_NAME),
  };
}

/** The catalogue: requests and their events from the table, the catalogue in the documents bucket. */
export function catalogue(config: Settings<'TABLE_NAME' | 'DOCUMENTS_BUCKET'>) {
  return { ports: cataloguePorts(config.TABLE_NAME, config.DOCUMENTS_BUCKET) };
}

/** The staff API's notes group: the staff context, without correspondence. */
export const staffNotes = staffContext;

/** The staff API's held-mail group: the staff context, without correspondence. */
export const staffHeldMail = staffContext;
