import PostalMime from 'postal-mime';

/**
 * The text of a message postroom sent, read from the exact copy it kept, for the request's
 * timeline: what the office said, as it said it, without keeping a second copy of it.
 */
export async function sentText(raw: string): Promise<string> {
  const parsed = await PostalMime.parse(raw);
  return parsed.text ?? '';
}
