// A reply's text while the model is still writing it: the stream's `event_start` and
// `event_delta` previews (opted into with `event_deltas=agent.message`) become a provisional
// timeline entry, replaced by the stored `agent.message` with the same id when it lands. A
// request that ends without one (an interrupt, an error) leaves the partial text in view, marked.
//
// A stream carries the previews of every thread of the session, and a preview names only an
// event id. So a preview is shown only while a model request of this view is open (its
// `span.model_request_start` is in the view), and one still open when that request ends well
// was another thread's: the view's own message is stored in the same append as the request's end.
import { h } from './dom.js';
import { renderMarkdown } from './markdown.js';

/**
 * @param {(element: HTMLElement) => void} place appends an entry to the timeline (and follows it)
 * @param {() => void} changed called after a preview's text grew, to keep the view following
 */
export function createPreviews(place, changed) {
  /** @type {Map<string, { element: HTMLElement, body: HTMLElement, parts: string[], ended: boolean, scheduled?: boolean }>} */
  const open = new Map();
  /** Model requests of this view that have started and not ended, by start event id. */
  const requests = new Set();
  /** Previews of other threads (or of requests this page did not see start): ignored. */
  const foreign = new Set();

  const start = (id) => {
    const body = h('div', { class: 'preview-body' });
    const element = h(
      'li',
      { class: 'event event-agent event-preview', 'data-type': 'agent.message', 'data-preview-id': id },
      h(
        'div',
        { class: 'event-head' },
        h('span', { class: 'event-title' }, 'Agent'),
        h('span', { class: 'muted small streaming' }, 'writing…'),
      ),
      body,
    );
    const preview = { element, body, parts: [], ended: false };
    open.set(id, preview);
    place(element);
    return preview;
  };

  /** The preview for an id, opened on first sight if this view has a request running. */
  const previewFor = (id) => {
    if (foreign.has(id)) return undefined;
    const known = open.get(id);
    if (known) return known;
    if (requests.size === 0) {
      foreign.add(id);
      return undefined;
    }
    return start(id);
  };

  /** Re-renders a preview at most once per frame: a long reply arrives in many small deltas. */
  const draw = (preview) => {
    if (preview.scheduled) return;
    preview.scheduled = true;
    const frame = globalThis.requestAnimationFrame ?? ((callback) => setTimeout(callback, 16));
    frame(() => {
      preview.scheduled = false;
      if (!preview.element.isConnected) return;
      preview.body.replaceChildren(renderMarkdown(preview.parts.filter(Boolean).join('\n\n')));
      changed();
    });
  };

  const drop = (id, preview) => {
    preview.element.remove();
    open.delete(id);
  };

  return {
    /** Handles a live stream item; true when it was a preview and is dealt with. */
    accept(event) {
      if (event.type === 'event_start') {
        if (event.event?.type === 'agent.message') previewFor(event.event.id);
        return true;
      }
      if (event.type !== 'event_delta') return false;
      const preview = previewFor(event.event_id);
      const delta = event.delta;
      if (preview && delta?.type === 'content_delta' && delta.content?.type === 'text') {
        const index = delta.index ?? 0;
        preview.parts[index] = (preview.parts[index] ?? '') + (delta.content.text ?? '');
        draw(preview);
      }
      return true;
    },

    /** Follows the view's model requests, from the history and the live stream alike. */
    observe(event) {
      if (event.type === 'span.model_request_start') {
        requests.add(event.id);
        return;
      }
      if (event.type !== 'span.model_request_end') return;
      requests.delete(event.model_request_start_id);
      for (const [id, preview] of open) {
        if (preview.ended) continue;
        if (!event.is_error) {
          // A request that ended well stored its message just before this event: still open here
          // means another thread's preview.
          drop(id, preview);
          continue;
        }
        preview.ended = true;
        const status = preview.element.querySelector('.streaming');
        if (status) status.textContent = 'stopped before the reply was complete (not saved)';
        preview.element.classList.add('event-partial');
      }
    },

    /** The viewed thread went idle: no preview still open can conclude in this view. */
    settle() {
      for (const [id, preview] of open) if (!preview.ended) drop(id, preview);
    },

    /** The element a stored event replaces, if it concludes a preview. */
    takeover(event) {
      const preview = event.type === 'agent.message' && event.id ? open.get(event.id) : undefined;
      if (!preview) return undefined;
      open.delete(event.id);
      return preview.element;
    },
  };
}
