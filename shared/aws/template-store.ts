import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ReplyTemplate, TemplatePorts } from '../staff/templates.ts';
import { dynamo } from './clients.ts';
import { keys, stageIndex } from './keys.ts';
import { queryAll } from './query-all.ts';

/** The template as the API knows it, without the table's keys. */
function templateOf(item: Record<string, unknown>): ReplyTemplate {
  const { id, name, subject, body, updatedBy, updatedAt, version } =
    item as unknown as ReplyTemplate;
  return {
    id,
    name,
    ...(subject === undefined ? {} : { subject }),
    body,
    updatedBy,
    updatedAt,
    version,
  };
}

/** Reply templates: one item each, listed from their own partition of the index. */
export function templateStore(tableName: string): TemplatePorts {
  const listed = stageIndex.template('').GSI1PK;
  return {
    async listTemplates() {
      const items = await queryAll<Record<string, unknown>>({
        TableName: tableName,
        IndexName: stageIndex.name,
        KeyConditionExpression: 'GSI1PK = :templates',
        ExpressionAttributeValues: { ':templates': listed },
      });
      return items.map(templateOf);
    },

    async getTemplate(id) {
      const found = await dynamo.send(
        new GetCommand({ TableName: tableName, Key: keys.template(id) }),
      );
      return found.Item && templateOf(found.Item);
    },

    /**
     * One update, so two admins saving at once each get a version of their own (ADD is
     * atomic) and the item holds whichever save landed last, whole.
     */
    async saveTemplate(id, fields, by, at) {
      const set = [
        '#type = :type',
        '#id = :id',
        '#name = :name',
        '#body = :body',
        '#updatedBy = :by',
        '#updatedAt = :at',
        'GSI1PK = :listed',
        'GSI1SK = :sortKey',
      ];
      if (fields.subject !== undefined) set.push('#subject = :subject');
      const saved = await dynamo.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.template(id),
          UpdateExpression: [
            `SET ${set.join(', ')}`,
            fields.subject === undefined ? 'REMOVE #subject' : '',
            'ADD #version :one',
          ].join(' '),
          ExpressionAttributeNames: {
            '#type': 'type',
            '#id': 'id',
            '#name': 'name',
            '#body': 'body',
            '#subject': 'subject',
            '#updatedBy': 'updatedBy',
            '#updatedAt': 'updatedAt',
            '#version': 'version',
          },
          ExpressionAttributeValues: {
            ':type': 'template',
            ':id': id,
            ':name': fields.name,
            ':body': fields.body,
            ':by': by,
            ':at': at,
            ':listed': listed,
            ':sortKey': stageIndex.template(id).GSI1SK,
            ':one': 1,
            ...(fields.subject === undefined ? {} : { ':subject': fields.subject }),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return templateOf(saved.Attributes ?? {});
    },
  };
}
