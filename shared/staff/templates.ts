import { acceptedPlaceholders, findUnknownPlaceholders } from '../correspondence/placeholders.ts';
import { type Actor, fieldErrors } from '../workflow/act.ts';
import { templateIdSchema } from '../workflow/ids.ts';
import * as z from '../zod.ts';
import { refused } from './errors.ts';

/** A saved reply staff start from when they write to a requester; admins keep them. */
export interface ReplyTemplate {
  id: string;
  name: string;
  subject?: string;
  /** Plain text with placeholders (shared/correspondence/placeholders.ts). */
  body: string;
  /** Who saved it last, by email address, and when. */
  updatedBy: string;
  updatedAt: string;
  /** How many times it has been saved: one more at each save. */
  version: number;
}

export type TemplateFields = Pick<ReplyTemplate, 'name' | 'subject' | 'body'>;

/** Where templates are kept; the AWS adapter is shared/aws/template-store.ts. */
export interface TemplatePorts {
  listTemplates(): Promise<ReplyTemplate[]>;
  getTemplate(id: string): Promise<ReplyTemplate | undefined>;
  /** Writes the fields, who and when, at one version more than the last save. */
  saveTemplate(id: string, fields: TemplateFields, by: string, at: string): Promise<ReplyTemplate>;
}

const limits = { name: 200, subject: 300, body: 20_000 } as const;
/**
 * "20,000": digits grouped by hand, not with toLocaleString. These run when the module is
 * loaded, and a process's first Intl call loads ICU's data (~20 ms), which every staff
 * function then paid at its cold start (npm run bench:bundles).
 */
const most = (field: keyof typeof limits) => String(limits[field]).replace(/\B(?=(\d{3})+$)/g, ',');

/**
 * What a save sends, as the route declares it: strings, with their limits described.
 * The limits and placeholders are checked by saveTemplate, so that a field that is empty,
 * too long or names an unknown placeholder is a 422 naming it, rather than a 400.
 */
export const templateBodySchema = z.object({
  name: z.string().check(z.describe(`1 to ${most('name')} characters; spaces either side dropped`)),
  subject: z.optional(
    z
      .string()
      .check(
        z.describe(
          `at most ${most('subject')} characters, with placeholders if wanted; empty for none`,
        ),
      ),
  ),
  body: z
    .string()
    .check(
      z.describe(
        `1 to ${most('body')} characters of plain text; placeholders: ${acceptedPlaceholders}`,
      ),
    ),
});

const limited = (field: keyof typeof limits) =>
  z
    .string()
    .check(
      z.trim(),
      z.maxLength(limits[field], `${field} is more than ${most(field)} characters; write fewer`),
    );
const required = (field: 'name' | 'body') =>
  limited(field).check(z.minLength(1, `${field} is empty; write 1 to ${most(field)} characters`));

const fieldsSchema = z.object({
  name: required('name'),
  subject: z.optional(limited('subject')),
  body: required('body'),
});

/** Unknown placeholders as a refusal shows them: a few, each cut short. */
const shown = (names: string[]) =>
  names
    .slice(0, 5)
    .map((name) => `{{${name.length > 40 ? `${name.slice(0, 40)}…` : name}}}`)
    .join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');

/**
 * The template's fields as they will be kept, or the refusal naming each one that is
 * wrong: empty or too long, or naming a placeholder postroom cannot fill (so a reply
 * started from it could never be sent as written).
 */
export function checkTemplate(body: z.output<typeof templateBodySchema>): TemplateFields {
  const parsed = fieldsSchema.safeParse(body);
  const fields = parsed.success ? [] : fieldErrors(parsed.error);
  for (const field of ['subject', 'body'] as const) {
    const unknown = findUnknownPlaceholders(body[field] ?? '');
    if (unknown.length && !fields.some((error) => error.path === field)) {
      fields.push({
        path: field,
        message: `${field} has ${unknown.length === 1 ? 'an unknown placeholder' : 'unknown placeholders'} ${shown(unknown)}; the placeholders are ${acceptedPlaceholders}`,
      });
    }
  }
  if (!parsed.success || fields.length) {
    throw refused({
      code: 'unprocessable',
      message: `the template cannot be saved: ${fields.map((error) => error.message).join('; ')}`,
      fields,
    });
  }
  const { name, subject, body: kept } = parsed.data;
  return { name, ...(subject ? { subject } : {}), body: kept };
}

// Office staff read names as words: "Meeting 2" before "Meeting 10", case aside. Made on
// first use, not at load: see `most`.
let byName: Intl.Collator | undefined;

/** Every template, by name, for staff to pick from. */
export async function listTemplates(ports: TemplatePorts) {
  const templates = await ports.listTemplates();
  byName ??= new Intl.Collator('en-GB', { sensitivity: 'base', numeric: true });
  const collator = byName;
  return {
    items: templates.sort((a, b) => collator.compare(a.name, b.name) || (a.id < b.id ? -1 : 1)),
  };
}

/**
 * Saves a template under its id, new or not: every check comes first, so a refused save
 * writes nothing. The last save wins; each is counted in the version and names who made it.
 */
export function saveTemplate(
  id: string,
  actor: Actor,
  body: z.output<typeof templateBodySchema>,
  ports: TemplatePorts,
  now: Date,
): Promise<ReplyTemplate> {
  return ports.saveTemplate(id, checkTemplate(body), actor.email, now.toISOString());
}

/**
 * The template a reply names, or undefined when there is none by that id (an id that
 * cannot be one included, so a caller's bad id never reaches the table as a key).
 */
export async function templateById(
  id: string,
  ports: Pick<TemplatePorts, 'getTemplate'>,
): Promise<ReplyTemplate | undefined> {
  if (!templateIdSchema.safeParse(id).success) return undefined;
  return ports.getTemplate(id);
}
