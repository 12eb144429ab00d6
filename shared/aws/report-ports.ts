import type { FactsFile } from '../catalogue/catalogue.ts';
import type { ReportPorts } from '../staff/reports.ts';
import { cachedDocument } from './cached-document.ts';
import { catalogueKeys } from './catalogue-ports.ts';

/**
 * The report's reads: the catalogue's facts file, kept parsed by a warm function and
 * fetched again only when its ETag changed, so a report costs a 304 and the arithmetic.
 */
export function reportPorts(documents: string): ReportPorts {
  const facts = cachedDocument(
    { bucket: documents, key: catalogueKeys.facts },
    (bytes) => JSON.parse(new TextDecoder().decode(bytes)) as FactsFile,
  );
  return { facts };
}
