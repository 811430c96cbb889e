import type { FileService } from '../../core/files/file-service.js';
import type { EventLog } from '../../core/sessions/event-log.js';
import type { OnOutputs } from './output-collector.js';

/**
 * Collected outputs become the session's Files API objects, each streamed
 * through a staging file on disk (FileService.stage) into the blob store,
 * never buffered whole in memory. A spent output budget is told to the
 * client as a `session.error` (error_code `output_budget_exceeded`), once.
 */
export function outputsToFiles(
  files: Pick<FileService, 'stage' | 'commit' | 'discard'>,
  events: Pick<EventLog, 'append'>,
): OnOutputs {
  return {
    async store(sessionId, file) {
      const staged = await files.stage(file.content);
      try {
        await files.commit(staged, { filename: file.path, scopeId: sessionId });
      } catch (error) {
        await files.discard(staged);
        throw error;
      }
    },
    async budgetExhausted(sessionId, message) {
      await events.append(
        sessionId,
        [
          {
            type: 'session.error',
            error: {
              type: 'unknown_error',
              message,
              retry_status: { type: 'exhausted' },
              error_code: 'output_budget_exceeded',
            },
          },
        ],
        { idempotencyKey: `${sessionId}:output-budget-exceeded` },
      );
    },
  };
}
