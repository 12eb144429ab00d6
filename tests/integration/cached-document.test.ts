import { expect, it } from 'vitest';
import { cachedDocument } from '../../shared/aws/cached-document.ts';
import { writeObject } from '../../shared/aws/documents.ts';
import { env } from '../support/postroom.ts';

/** A warm function's copy of an object: fetched and parsed again only when S3 says it changed. */
it('reads the object again only once it has changed (a 304 otherwise)', async () => {
  const ref = { bucket: env().documents, key: 'catalogue/probe.json' };
  let parses = 0;
  const read = cachedDocument(ref, (b) => {
    parses += 1;
    return JSON.parse(new TextDecoder().decode(b));
  });
  expect(await read()).toBeUndefined();
  await writeObject(ref, '{"a":1}', 'application/json');
  expect(await read()).toEqual({ a: 1 });
  expect(await read()).toEqual({ a: 1 });
  expect(parses).toBe(1);
  await writeObject(ref, '{"a":2}', 'application/json');
  expect(await read()).toEqual({ a: 2 });
  expect(parses).toBe(2);
});

it('with maxAgeMs, answers from its copy for that long after S3 last confirmed it', async () => {
  const ref = { bucket: env().documents, key: 'catalogue/probe-aged.json' };
  const read = cachedDocument(ref, (b) => JSON.parse(new TextDecoder().decode(b)), {
    maxAgeMs: 300,
  });
  await writeObject(ref, '{"a":1}', 'application/json');
  expect(await read()).toEqual({ a: 1 });
  await writeObject(ref, '{"a":2}', 'application/json');
  expect(await read()).toEqual({ a: 1 });
  await new Promise((resolve) => setTimeout(resolve, 350));
  expect(await read()).toEqual({ a: 2 });
});
