// Types for dom.js (plain ESM served to the browser as is; the tests import it from TypeScript,
// whose project has no DOM library: elements are `unknown` here).

export function h(tag: string, props?: Record<string, unknown> | null, ...children: unknown[]): unknown;
export function append(parent: unknown, children: unknown[]): unknown;
export function replace(parent: unknown, ...children: unknown[]): unknown;
export function route(...parts: Array<string | number>): string;
export function badge(text: string, kind?: string): unknown;
export function notice(text: string, kind?: 'error' | 'info'): unknown;
export function messageOf(error: unknown): string;
