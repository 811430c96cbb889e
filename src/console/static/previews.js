// A reply's text while the model is still writing it: the stream's `event_start` and
// `event_delta` previews (opted into with `event_deltas=agent.message`) become a provisional
// timeline entry, replaced by the stored `agent.message` with the same id when it lands. A
// request that ends without one (an interrupt, an error) leaves the partial text in view, marked.
import { h } from './dom.js';
import { renderMarkdown } from './markdown.js';

/**
 * @param {(element: HTMLElement) => void} place appends an entry to the timeline (and follows it)
 * @param {() => void} changed called after a preview's text grew, to keep the view following
 */
export function createPreviews(place, changed) {
  /** @type {Map<string, { element: HTMLElement, body: HTMLElement, parts: string[], ended: boolean, scheduled?: boolean }>} */
  const open = new Map();

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

  return {
    /** Handles a stream item; true when it was a preview (or concluded one) and is dealt with. */
    accept(event) {
      if (event.type === 'event_start') {
        if (event.event?.type === 'agent.message' && !open.has(event.event.id)) start(event.event.id);
        return true;
      }
      if (event.type === 'event_delta') {
        const preview = open.get(event.event_id) ?? start(event.event_id);
        const delta = event.delta;
        if (delta?.type === 'content_delta' && delta.content?.type === 'text') {
          const index = delta.index ?? 0;
          preview.parts[index] = (preview.parts[index] ?? '') + (delta.content.text ?? '');
          draw(preview);
        }
        return true;
      }
      if (event.type === 'span.model_request_end') {
        // The request is over: a preview with no stored message now is all there will be.
        for (const preview of open.values()) {
          if (preview.ended) continue;
          preview.ended = true;
          const status = preview.element.querySelector('.streaming');
          if (status) status.textContent = 'stopped before the reply was complete (not saved)';
          preview.element.classList.add('event-partial');
        }
      }
      return false;
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
