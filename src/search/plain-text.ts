const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/**
 * Search APIs mark matches up in snippets (Brave: `<strong>`) and escape
 * entities; the model gets plain text on one line.
 */
export function plainText(value: unknown): string {
  if (typeof value !== 'string') return '';
  return value
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (entity, name: string) => {
      const lower = name.toLowerCase();
      if (lower.startsWith('#x')) return codePoint(Number.parseInt(lower.slice(2), 16)) ?? entity;
      if (lower.startsWith('#')) return codePoint(Number.parseInt(lower.slice(1), 10)) ?? entity;
      return NAMED[lower] ?? entity;
    })
    .replace(/\s+/g, ' ')
    .trim();
}

function codePoint(value: number): string | undefined {
  return Number.isInteger(value) && value > 0 && value <= 0x10ffff ? String.fromCodePoint(value) : undefined;
}
