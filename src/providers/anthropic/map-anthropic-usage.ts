import type { MessageDeltaUsage, Usage } from '@anthropic-ai/sdk/resources/messages';
import type { ModelUsageReport } from '../../core/ports/model-provider.js';

/** Usage from `message_start`: input and cache counts, and a provisional output count. */
export function mapAnthropicUsage(usage: Usage): ModelUsageReport {
  const report: ModelUsageReport = {
    input_tokens: usage.input_tokens,
    output_tokens: usage.output_tokens,
    cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
    cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
  };
  if (usage.cache_creation) {
    report.cache_creation = {
      ephemeral_5m_input_tokens: usage.cache_creation.ephemeral_5m_input_tokens,
      ephemeral_1h_input_tokens: usage.cache_creation.ephemeral_1h_input_tokens,
    };
  }
  if (usage.server_tool_use) report.server_tool_use = { ...usage.server_tool_use };
  return report;
}

/**
 * `message_delta` usage is cumulative and authoritative for the fields it
 * carries; null fields keep what `message_start` said.
 */
export function mergeAnthropicDeltaUsage(
  report: ModelUsageReport,
  delta: MessageDeltaUsage,
): ModelUsageReport {
  const merged: ModelUsageReport = {
    ...report,
    input_tokens: delta.input_tokens ?? report.input_tokens,
    output_tokens: delta.output_tokens,
    cache_read_input_tokens: delta.cache_read_input_tokens ?? report.cache_read_input_tokens,
    cache_creation_input_tokens: delta.cache_creation_input_tokens ?? report.cache_creation_input_tokens,
  };
  if (delta.server_tool_use) merged.server_tool_use = { ...delta.server_tool_use };
  return merged;
}
