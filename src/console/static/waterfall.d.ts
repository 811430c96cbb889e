// Types for waterfall.js (plain ESM served as is; the element is `unknown` here: no DOM library).
import type { Wire } from './api.js';

export interface Step {
  id: string;
  kind: 'model' | 'tool' | 'outcome';
  label: string;
  thread?: string;
  start: string;
  end?: string;
  failed: boolean;
  detail: string;
}
export function stepSpans(events: Wire[]): Step[];
export function createWaterfall(context: { threadNames?: Map<string, string>; viewThreadId?: string }): {
  element: unknown;
  add(event: unknown, bulk?: boolean): void;
  draw(): void;
};
