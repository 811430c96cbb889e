import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ModelProvider,
  ModelProviderError,
  type ModelRequest,
  type ModelStreamPart,
} from '../../core/ports/model-provider.js';
import { lastUserText } from './last-user-text.js';
import { chunkJson, chunkWords, planReply } from './plan-reply.js';
import { RequestGate, WAIT_FOR_LIMIT_MS } from './request-gate.js';
import { parseScript, type ScriptedTurn } from './scripted-turn.js';
import { ScriptedTurnQueue } from './scripted-turn-queue.js';

/**
 * The scripted model in process, without HTTP: the `ScriptedModel` test fake
 * for harness tests, and what the `scripted` route plays (an echo until turns
 * are pushed). Same script format and selection rules as the mock server.
 */
export interface ScriptedProvider extends ModelProvider {
  push(turns: ScriptedTurn[]): void;
  /** The requests received, exactly as the harness sent them. */
  requests(): ModelRequest[];
  reset(): void;
}

export function createScriptedProvider(options: { turns?: ScriptedTurn[] } = {}): ScriptedProvider {
  const queue = new ScriptedTurnQueue(parseScript(options.turns ?? []));
  let recorded: ModelRequest[] = [];
  const gate = new RequestGate();

  async function* stream(request: ModelRequest, signal: AbortSignal): AsyncGenerator<ModelStreamPart> {
    recorded.push(structuredClone(request));
    const userText = lastUserText(request.messages);
    const turn = queue.take(userText);
    gate.arrived(userText);
    if (turn.wait_for !== undefined && !(await gate.waitFor(turn.wait_for, signal))) {
      if (signal.aborted) throw signal.reason;
      throw new ModelProviderError(
        `scripted: waited ${WAIT_FOR_LIMIT_MS} ms for a request containing "${turn.wait_for}"`,
        { status: 400 },
      );
    }
    if (turn.error) {
      throw new ModelProviderError(turn.error.message ?? `scripted error ${turn.error.status}`, {
        status: turn.error.status,
      });
    }
    const reply = planReply(turn, {
      requestNumber: recorded.length,
      model: request.model,
      inputText: JSON.stringify([request.system ?? '', request.messages, request.tools]),
    });
    const pause = async () => {
      if (reply.delayMs > 0) await sleep(reply.delayMs, undefined, { signal }).catch(() => undefined);
      // The port's abort contract: throw the signal's reason, never a retryable error.
      if (signal.aborted) throw signal.reason;
    };

    await pause();
    yield { type: 'message-start', id: reply.id, model: reply.model };
    for (const [index, block] of reply.content.entries()) {
      if (block.type === 'text') {
        for (const text of chunkWords(block.text)) {
          await pause();
          yield { type: 'text-delta', index, text };
        }
      } else if (block.type === 'thinking') {
        yield { type: 'thinking-start', index };
        for (const _piece of chunkWords(block.thinking)) await pause();
      } else {
        for (const _piece of chunkJson(JSON.stringify(block.input))) await pause();
      }
      yield { type: 'block-end', index, block };
    }
    yield { type: 'message-end', stopReason: reply.stopReason, usage: reply.usage };
  }

  return {
    name: 'scripted',
    stream,
    push: (turns) => queue.push(parseScript(turns)),
    requests: () => [...recorded],
    reset() {
      queue.reset();
      recorded = [];
      gate.reset();
    },
  };
}
