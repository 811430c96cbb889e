import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * A request body from `-f FILE` (YAML or JSON: JSON is YAML, so one parser
 * reads both; `-` reads stdin). The error names the file and the line.
 */
export function readBodyFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    throw new Error(`-f ${path}: ${(error as Error).message}`);
  }
  let body: unknown;
  try {
    body = parse(text);
  } catch (error) {
    throw new Error(`-f ${path}: not valid YAML or JSON: ${(error as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new Error(
      `-f ${path}: expected an object (the request body), got ${Array.isArray(body) ? 'a list' : typeof body}`,
    );
  return body as Record<string, unknown>;
}

/** `a,b` and repeated flags alike: commander's collector for list options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  ];
}
