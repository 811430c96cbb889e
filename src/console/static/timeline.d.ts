// Types for timeline.js (plain ESM served to the browser as is; the tests import it from TypeScript,
// whose project has no DOM library: the element is `unknown` here).
import type { Wire } from './api.js';

export function renderEvent(event: Wire, namesById?: Map<string, string>): unknown;
