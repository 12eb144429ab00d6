/**
 * The subset of Lambda event filtering that postroom's declarations use: nested objects
 * match field by field, and an array lists the values a field may equal. The local
 * poller applies the very patterns the CDK stack gives Lambda as FilterCriteria.
 */
export function matchesPattern(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.some((allowed) => allowed === value);
  if (pattern && typeof pattern === 'object') {
    if (!value || typeof value !== 'object') return false;
    return Object.entries(pattern).every(([field, inner]) =>
      matchesPattern(inner, (value as Record<string, unknown>)[field]),
    );
  }
  return pattern === value;
}

export function matchesAny(patterns: ReadonlyArray<unknown>, value: unknown): boolean {
  return patterns.length === 0 || patterns.some((pattern) => matchesPattern(pattern, value));
}
