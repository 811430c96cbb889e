// A small Markdown renderer for agent text that builds DOM nodes through dom.js: every piece of
// model output becomes a text node, raw HTML in the source stays visible text, and links are
// only http(s)/mailto. No parser library: a build-free console cannot import one as ESM without
// also serving a sanitizer, and this subset (CommonMark's common blocks and GFM tables) is what
// models write. See docs/console.md.
import { h } from './dom.js';

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+.-]*)\s*$/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;
const QUOTE = /^ {0,3}>\s?/;
const ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const TABLE_SEPARATOR = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

/**
 * Renders Markdown text into a `<div class="markdown">`.
 * @param {string} text
 * @returns {HTMLElement}
 */
export function renderMarkdown(text) {
  return h(
    'div',
    { class: 'markdown' },
    blocks(
      String(text ?? '')
        .replace(/\r\n?/g, '\n')
        .split('\n'),
    ),
  );
}

const startsBlock = (line, next) =>
  FENCE.test(line) ||
  HEADING.test(line) ||
  RULE.test(line) ||
  QUOTE.test(line) ||
  ITEM.test(line) ||
  (line.includes('|') && next !== undefined && TABLE_SEPARATOR.test(next) && next.includes('-'));

/** @param {string[]} lines */
function blocks(lines) {
  const out = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const next = lines[i + 1];
    if (!line.trim()) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1] ?? '```';
      const body = [];
      i++;
      while (i < lines.length && !(lines[i] ?? '').trim().startsWith(marker)) body.push(lines[i++]);
      i++; // the closing fence (or the end of a still-streaming reply)
      const language = fence[2] ? `language-${fence[2]}` : '';
      out.push(h('pre', { class: 'block code' }, h('code', { class: language || null }, body.join('\n'))));
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      // Agent headings sit inside a timeline entry: keep them below the page's own h1/h2.
      const level = Math.min(6, (heading[1] ?? '#').length + 2);
      out.push(h(`h${level}`, null, inline(heading[2] ?? '')));
      i++;
      continue;
    }
    if (RULE.test(line)) {
      out.push(h('hr'));
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const body = [];
      while (i < lines.length && QUOTE.test(lines[i] ?? '')) body.push((lines[i++] ?? '').replace(QUOTE, ''));
      out.push(h('blockquote', null, blocks(body)));
      continue;
    }
    if (ITEM.test(line)) {
      const [list, after] = listAt(lines, i);
      out.push(list);
      i = after;
      continue;
    }
    if (line.includes('|') && next !== undefined && TABLE_SEPARATOR.test(next) && next.includes('-')) {
      const rows = [];
      i += 2;
      while (i < lines.length && (lines[i] ?? '').includes('|') && (lines[i] ?? '').trim())
        rows.push(lines[i++]);
      out.push(table(line, rows));
      continue;
    }
    const paragraph = [line];
    i++;
    while (i < lines.length && (lines[i] ?? '').trim() && !startsBlock(lines[i] ?? '', lines[i + 1])) {
      paragraph.push(lines[i++]);
    }
    out.push(h('p', null, inline(paragraph.map((part) => part.trim()).join('\n'))));
  }
  return out;
}

/** A list starting at `start`: items at its indentation, deeper lines belong to the item. */
function listAt(lines, start) {
  const first = ITEM.exec(lines[start] ?? '');
  const indent = first?.[1]?.length ?? 0;
  const ordered = /\d/.test(first?.[2] ?? '');
  const items = [];
  let i = start;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const item = ITEM.exec(line);
    if (item && (item[1]?.length ?? 0) === indent && /\d/.test(item[2] ?? '') === ordered) {
      items.push([item[3] ?? '']);
      i++;
    } else if (line.trim() && (/^\s/.test(line) || !startsBlock(line, lines[i + 1])) && items.length) {
      const indented = (line.match(/^\s*/)?.[0].length ?? 0) > indent;
      if (!indented && ITEM.test(line)) break;
      items.at(-1)?.push(indented ? line.slice(Math.min(line.search(/\S/), indent + 2)) : line.trim());
      i++;
    } else if (!line.trim() && i + 1 < lines.length && /^\s+\S/.test(lines[i + 1] ?? '')) {
      items.at(-1)?.push('');
      i++;
    } else break;
  }
  const startNumber = ordered ? Number.parseInt(first?.[2] ?? '1', 10) : 1;
  const list = h(
    ordered ? 'ol' : 'ul',
    ordered && startNumber !== 1 ? { start: startNumber } : null,
    items.map((body) => {
      const rendered = blocks(body);
      // A one-paragraph item is shown inline, as in a tight list.
      const only = rendered.length === 1 && rendered[0]?.tagName?.toUpperCase() === 'P' ? rendered[0] : null;
      return h('li', null, only ? [...only.childNodes] : rendered);
    }),
  );
  return [list, i];
}

const cells = (row) =>
  row
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());

function table(headerLine, rows) {
  const header = cells(headerLine);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      null,
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          header.map((cell) => h('th', null, inline(cell))),
        ),
      ),
      h(
        'tbody',
        null,
        rows.map((row) =>
          h(
            'tr',
            null,
            header.map((_, index) => h('td', null, inline(cells(row)[index] ?? ''))),
          ),
        ),
      ),
    ),
  );
}

const INLINE = new RegExp(
  [
    /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/.source, // 1,2 code span
    /\*\*(?=\S)([\s\S]*?\S)\*\*/.source, // 3 strong
    /__(?=\S)([\s\S]*?\S)__(?!\w)/.source, // 4 strong
    /~~(?=\S)([\s\S]*?\S)~~/.source, // 5 strikethrough
    /\*(?=[^\s*])([\s\S]*?[^\s*])\*/.source, // 6 emphasis
    /(?<!\w)_(?=[^\s_])([\s\S]*?[^\s_])_(?!\w)/.source, // 7 emphasis
    /!\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/.source, // 8,9 image: its alt text only
    /\[([^\]]+)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/.source, // 10,11 link
    /<((?:https?:\/\/|mailto:)[^\s>]+)>/.source, // 12 autolink
    /\\([!-/:-@[-`{-~])/.source, // 13 escape
    /(\n)/.source, // 14 line break
  ].join('|'),
  'g',
);

/** Inline Markdown as an array of nodes and strings (strings become text nodes in h()). */
function inline(text) {
  const out = [];
  let last = 0;
  INLINE.lastIndex = 0;
  for (let match = INLINE.exec(text); match; match = INLINE.exec(text)) {
    if (match.index > last) out.push(text.slice(last, match.index));
    last = INLINE.lastIndex;
    const index = INLINE.lastIndex;
    if (match[2] !== undefined) out.push(h('code', null, match[2].replace(/^ (.*) $/s, '$1')));
    else if (match[3] !== undefined || match[4] !== undefined)
      out.push(h('strong', null, inline(match[3] ?? match[4] ?? '')));
    else if (match[5] !== undefined) out.push(h('del', null, inline(match[5])));
    else if (match[6] !== undefined || match[7] !== undefined)
      out.push(h('em', null, inline(match[6] ?? match[7] ?? '')));
    else if (match[8] !== undefined) out.push(match[8] ? `[image: ${match[8]}]` : '[image]');
    else if (match[10] !== undefined) out.push(link(match[11] ?? '', inline(match[10])));
    else if (match[12] !== undefined) out.push(link(match[12], [match[12]]));
    else if (match[13] !== undefined) out.push(match[13]);
    else if (match[14] !== undefined) out.push(h('br'));
    // The recursive calls above reuse the shared pattern: put its position back.
    INLINE.lastIndex = index;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** A link that opens outside the console; anything but http(s) and mailto stays plain text. */
function link(target, children) {
  let url;
  try {
    url = new URL(target);
  } catch {
    return children;
  }
  if (!['http:', 'https:', 'mailto:'].includes(url.protocol)) return children;
  const anchor = h(
    'a',
    { class: 'external', rel: 'noopener noreferrer nofollow', target: '_blank' },
    children,
  );
  // Set after h(), whose href check allows only in-console links.
  anchor.setAttribute('href', url.href);
  return anchor;
}
