/**
 * The SDK encodes queries with `qs` in brackets style: `statuses[]=a&statuses[]=b`,
 * `created_at[gte]=…`. Fastify hands us flat keys; fold them into objects and
 * arrays so zod schemas can describe them. Plain repeated keys are accepted too.
 */
export function foldQuery(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const values = Array.isArray(value) ? value.map(String) : [String(value)];
    const arrayMatch = /^([^[\]]+)\[\]$/.exec(key);
    if (arrayMatch?.[1]) {
      const name = arrayMatch[1];
      const existing = out[name];
      out[name] = [...(Array.isArray(existing) ? existing : []), ...values];
      continue;
    }
    const nestedMatch = /^([^[\]]+)\[([^[\]]+)\]$/.exec(key);
    if (nestedMatch?.[1] && nestedMatch[2]) {
      const [, name, sub] = nestedMatch;
      const existing = out[name];
      const target: Record<string, unknown> =
        existing && typeof existing === 'object' && !Array.isArray(existing)
          ? (existing as Record<string, unknown>)
          : {};
      target[sub] = values.length === 1 ? values[0] : values;
      out[name] = target;
      continue;
    }
    out[key] = values.length === 1 ? values[0] : values;
  }
  return out;
}
