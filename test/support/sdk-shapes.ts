import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type Anthropic from '@anthropic-ai/sdk';

/**
 * What the installed SDK itself says about its managed-agents surface: every method of client.beta's
 * resource classes (walked through their prototypes) and, from each method's .d.ts, the fields its
 * response declares as required. Nothing here is hand-copied, so a new SDK version is read as is.
 */
// The package's main file sits at its root (its exports map hides package.json).
const sdkRoot = dirname(createRequire(import.meta.url).resolve('@anthropic-ai/sdk'));
const betaDir = join(sdkRoot, 'resources', 'beta');

/** Method paths such as `beta.sessions.events.list`, for the given top-level resources of client.beta. */
export function sdkMethods(client: Anthropic, resources: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (target: object, path: string) => {
    const proto = Object.getPrototypeOf(target) as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name !== 'constructor' && !name.startsWith('_') && typeof proto[name] === 'function')
        found.push(`${path}.${name}`);
    }
    for (const [name, value] of Object.entries(target)) {
      if (name.startsWith('_') || value === null || typeof value !== 'object') continue;
      if ('_client' in value) walk(value, `${path}.${name}`);
    }
  };
  const beta = client.beta as unknown as Record<string, object>;
  for (const resource of resources) {
    const value = beta[resource];
    if (value) walk(value, `beta.${resource}`);
  }
  return found.sort();
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

/** The .d.ts declaring a resource class at `beta.a.b`: a/b.d.ts, a/b/b.d.ts, or a.d.ts. */
function declarationFile(resourcePath: string[]): string | undefined {
  const parts = resourcePath.map(kebab);
  const last = parts.at(-1) ?? '';
  // A resource with sub-resources lives in its own folder (agents/agents.d.ts); beta/agents.d.ts re-exports.
  for (const candidate of [join(betaDir, ...parts, `${last}.d.ts`), `${join(betaDir, ...parts)}.d.ts`]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

const declarations = new Map<string, string>();
function read(file: string): string {
  let text = declarations.get(file);
  if (text === undefined) {
    text = readFileSync(file, 'utf8');
    declarations.set(file, text);
  }
  return text;
}

/** The response's item type a method declares (`APIPromise<T>` or `PagePromise<Page, T>`), unqualified. */
export function declaredResponseType(methodPath: string): string | undefined {
  const segments = methodPath.split('.').slice(1);
  const method = segments.pop() ?? '';
  const file = declarationFile(segments);
  if (!file) return undefined;
  const line = read(file)
    .split('\n')
    .find((text) => new RegExp(`^\\s{4}${method}\\(.*\\): (APIPromise|PagePromise)<`).test(text));
  const match = line?.match(/: (?:APIPromise<(.+)>|PagePromise<[^,]+, (.+)>);$/);
  const type = (match?.[1] ?? match?.[2])?.replace(/^[A-Za-z]+API\./, '');
  return type;
}

/** Every interface declared under resources/beta (and resources/shared), by name → its body. */
let interfaces: Map<string, string> | undefined;
function allInterfaces(): Map<string, string> {
  if (interfaces) return interfaces;
  interfaces = new Map();
  const files = [
    ...readdirSync(betaDir, { recursive: true, encoding: 'utf8' }).map((file) => join(betaDir, file)),
    join(sdkRoot, 'resources', 'shared.d.ts'),
  ].filter((file) => file.endsWith('.d.ts'));
  for (const file of files) {
    const text = read(file);
    for (const match of text.matchAll(/^export interface (\w+) \{\n([\s\S]*?)^\}$/gm))
      if (match[1] && !interfaces.has(match[1])) interfaces.set(match[1], match[2] ?? '');
  }
  return interfaces;
}

/** The required (non-optional) fields an interface declares; undefined for aliases and unions. */
export function requiredFields(typeName: string): string[] | undefined {
  const body = allInterfaces().get(typeName);
  if (body === undefined) return undefined;
  return [...body.matchAll(/^ {4}([a-z_][a-z0-9_]*): /gm)].map((match) => match[1] ?? '');
}
