import type { ScriptedTurn } from './scripted-turn.js';

/**
 * The turns a script still has to play. A turn is picked at most once: the
 * first unconsumed turn whose `match` (if any) appears in the last user text,
 * so a script can key replies by conversation when sessions run concurrently.
 */
export class ScriptedTurnQueue {
  #turns: Array<{ turn: ScriptedTurn; consumed: boolean }> = [];

  constructor(turns: ScriptedTurn[] = []) {
    this.push(turns);
  }

  push(turns: ScriptedTurn[]): void {
    for (const turn of turns) this.#turns.push({ turn, consumed: false });
  }

  reset(): void {
    this.#turns = [];
  }

  /** How many turns are still waiting to be played. */
  remaining(): number {
    return this.#turns.filter((entry) => !entry.consumed).length;
  }

  /**
   * The next turn for this conversation, or the deterministic echo when the
   * script is exhausted, so integrations can be developed without a script.
   */
  take(lastUserText: string): ScriptedTurn {
    const entry = this.#turns.find(
      (candidate) =>
        !candidate.consumed &&
        (candidate.turn.match === undefined || lastUserText.includes(candidate.turn.match)),
    );
    if (!entry) return echoTurn(lastUserText);
    entry.consumed = true;
    return entry.turn;
  }
}

export function echoTurn(lastUserText: string): ScriptedTurn {
  return { content: [{ type: 'text', text: `scripted: ${lastUserText}` }] };
}
