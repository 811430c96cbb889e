import type { PaddockConfig } from '../config/config.js';
import type { FileService } from '../core/files/file-service.js';
import type { OutcomeSettings } from '../core/outcomes/outcome-step.js';

/** The SDK's limit on an inline rubric; a rubric file is read up to the same size. */
const MAX_RUBRIC_BYTES = 262_144;

/** The outcome grader's settings (docs/outcomes.md): its model, heartbeat, and rubric files read from Files. */
export function outcomeSettings(config: PaddockConfig, files: FileService): OutcomeSettings {
  return {
    graderModel: config.outcomes.graderModel,
    heartbeatMs: config.outcomes.heartbeatMs,
    readRubricFile: async (fileId) => {
      const { content } = await files.openContent(fileId);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of content as AsyncIterable<Buffer>) {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= MAX_RUBRIC_BYTES) break;
      }
      if ('destroy' in content && typeof content.destroy === 'function') content.destroy();
      return Buffer.concat(chunks).subarray(0, MAX_RUBRIC_BYTES).toString('utf8');
    },
  };
}
