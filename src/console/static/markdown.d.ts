// Types for markdown.js (plain ESM served to the browser as is; the tests import it from TypeScript,
// whose project has no DOM library: the element is `unknown` here).
export function renderMarkdown(text: string): unknown;
