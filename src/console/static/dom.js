// The one way the console builds DOM: elements and text nodes, never HTML
// strings, so nothing the API returns can become markup or script.

/**
 * `h('a', {href: '#/x', class: 'link', onclick}, 'text', child, [more])`.
 * Strings become text nodes; `on*` functions become listeners; booleans toggle attributes.
 * @param {string} tag
 * @param {Record<string, any> | null} [props]
 * @param {...any} children
 * @returns {HTMLElement}
 */
export function h(tag, props, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      element.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'class') {
      element.className = String(value);
    } else if (key === 'value' || key === 'checked' || key === 'disabled' || key === 'selected') {
      element[key] = value;
    } else if (key === 'href' && !isSafeHref(String(value))) {
      throw new Error(`refusing to link to ${String(value)}`);
    } else {
      element.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

/** Only in-app routes and same-origin paths: never `javascript:` or other schemes. */
function isSafeHref(href) {
  return href.startsWith('#') || (href.startsWith('/') && !href.startsWith('//')) || href.startsWith('blob:');
}

/** Appends strings (as text), nodes and nested arrays; skips null, undefined and false. */
export function append(parent, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (typeof child === 'string' || typeof child === 'number') {
      parent.appendChild(document.createTextNode(String(child)));
    } else parent.appendChild(child);
  }
  return parent;
}

/** Replaces an element's children. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** `#/sessions/sesn_…` style route links; every part is URI-encoded. */
export function route(...parts) {
  return `#/${parts.map((part) => encodeURIComponent(String(part))).join('/')}`;
}

/** A status or kind badge. */
export function badge(text, kind = String(text)) {
  return h('span', { class: `badge badge-${String(kind).replace(/[^a-z0-9_-]/gi, '-')}` }, String(text));
}

/** A message line for errors and notices. */
export function notice(text, kind = 'error') {
  return h('p', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** The message of anything thrown. */
export function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}
