// A resource page's action button (Pause, Run now, Disable, Redeliver, …): it disables itself
// while the action runs, shows a failure in the page's message slot, and re-renders the page
// once the action succeeded, so the page always shows the server's state.
import { h, messageOf, notice, replace } from './dom.js';

/**
 * Returns `act(label, className, action)`, which makes such a button.
 * @param {{ onAuthError: (e: unknown) => boolean }} context
 * @param {HTMLElement} message where a failure is shown (cleared on each click)
 * @param {() => Promise<void>} rerender draws the page again after a successful action
 */
export function actionButtons(context, message, rerender) {
  return (label, className, action) => {
    const button = h('button', { type: 'button', class: className }, label);
    button.addEventListener('click', async () => {
      button.disabled = true;
      replace(message);
      try {
        await action();
        await rerender();
      } catch (error) {
        if (!context.onAuthError(error)) replace(message, notice(messageOf(error)));
      } finally {
        button.disabled = false;
      }
    });
    return button;
  };
}
