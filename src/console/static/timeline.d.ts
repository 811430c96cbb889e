// Types for timeline.js (plain ESM served to the browser as is; the tests import it from TypeScript,
// whose project has no DOM library: the element is `unknown` here).
import type { Wire } from './api.js';

export interface RenderContext {
  namesById?: Map<string, string>;
  threadNames?: Map<string, string>;
  viewThreadId?: string;
  startedAt?: Map<string, string>;
}

export function renderEvent(event: Wire, context?: RenderContext | Map<string, string>): unknown;
