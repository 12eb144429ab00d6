import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../functions/catalogue.ts';
import { cataloguePorts, everyRequestHistory } from '../../shared/aws/catalogue-ports.ts';
import { type FactsFile, rebuildCatalogue } from '../../shared/catalogue/catalogue.ts';
import { plainLetter } from '../support/letters.ts';
import {
  act,
  documentText,
  env,
  insertedOnStream,
  records,
  staff,
  staffClient,
  startPostroom,
} from '../support/postroom.ts';

/**
 * The catalogue kept from the stream: each request's report facts made again from its
 * item and audit trail, idempotently, and the same after a rebuild from the table.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
let api: ReturnType<typeof staffClient>;

const factsFile = async () =>
  JSON.parse(await documentText('catalogue/report-facts.json')) as FactsFile;
const lambdaContext = {} as never;

async function newRequest(n: number) {
  const requester = `catalogue${n}@lumencam.example`;
  await postroom.deliver(
    plainLetter({ from: `Helen Marsh <${requester}>`, subject: `Catalogue request ${n}` }),
    requester,
  );
  const found = (await records.requestsInStage('received')).find(
    (request) => request.sender.address === requester,
  );
  if (!found) throw new Error(`letter ${n} was not filed`);
  return found;
}

beforeAll(async () => {
  postroom = await startPostroom();
  api = staffClient(postroom.apiPort);
});
afterAll(async () => {
  await postroom?.close();
});

describe('the catalogue', () => {
  it('follows a request through the stream: received, then answered, with each stage dated by its event', async () => {
    const request = await newRequest(1);
    const accepted = await act(api, staff.caseworker, request.id, 'accept', {});
    expect(accepted.status).toBe(200);
    await postroom.settle();
    const facts = (await factsFile()).requests[request.id];
    const events = await records.events(request.id);
    const acceptEvent = events.find((event) => event.action === 'accept');
    expect(facts).toMatchObject({
      id: request.id,
      reference: request.reference,
      channel: 'email',
      senderAddress: 'catalogue1@lumencam.example',
      stage: 'accepted',
      assignee: staff.caseworker,
      answeredAt: acceptEvent?.at,
      eventSeq: events.length,
    });
    expect(facts?.stages.map((entry) => entry.stage)).toEqual(['received', 'accepted']);
  });

  it('writes the same catalogue when the stream delivers an event again', async () => {
    const request = await newRequest(2);
    await postroom.settle();
    const before = await documentText('catalogue/report-facts.json');
    const [first] = await records.events(request.id);
    const again = await handler(insertedOnStream({ ...first, type: 'event' }), lambdaContext);
    expect(again).toEqual({ batchItemFailures: [] });
    expect(await documentText('catalogue/report-facts.json')).toBe(before);
  });

  it('rebuilds from the table to the entries the stream made, and twice to the same', async () => {
    await newRequest(3);
    await postroom.settle();
    const kept = (await factsFile()).requests;
    const ports = cataloguePorts(env().table, env().documents);
    await rebuildCatalogue(everyRequestHistory(env().table), ports, new Date());
    const once = (await factsFile()).requests;
    await rebuildCatalogue(everyRequestHistory(env().table), ports, new Date());
    const twice = (await factsFile()).requests;
    expect(once).toEqual(kept);
    expect(twice).toEqual(once);
  });

  it('takes a disposed-of request out', async () => {
    const ports = cataloguePorts(env().table, env().documents);
    const file = await factsFile();
    await ports.writeFacts({
      ...file,
      requests: {
        ...file.requests,
        'gone-request': { ...Object.values(file.requests)[0], id: 'gone-request' } as never,
      },
    });
    const outcome = await handler(
      insertedOnStream({
        PK: 'DISPOSAL#gone-request',
        SK: 'DISPOSAL',
        type: 'disposal',
        requestId: 'gone-request',
      }),
      lambdaContext,
    );
    expect(outcome).toEqual({ batchItemFailures: [] });
    expect((await factsFile()).requests['gone-request']).toBeUndefined();
  });
});
