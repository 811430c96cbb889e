import type { ModelToolDefinition } from '../ports/model-provider.js';
import type { BuiltinToolName } from '../schemas/agents.js';

/**
 * The built-in toolset as offered to the model: the names and input schemas
 * of the SDK's agent toolset (BetaManagedAgentsAgentToolset20260401*Input).
 */
export const BUILTIN_TOOL_DEFINITIONS: Record<BuiltinToolName, ModelToolDefinition> = {
  bash: {
    name: 'bash',
    description:
      'Run a bash command in a persistent shell. State (cwd, env vars) persists across calls. Output is stdout and stderr merged.',
    input_schema: {
      type: 'object',
      properties: {
        command: { type: 'string', description: 'The command to run' },
        restart: { type: 'boolean', description: 'Restart the persistent shell before running' },
        timeout_ms: { type: 'integer', description: 'Per-call timeout in milliseconds (default 120000)' },
      },
    },
  },
  read: {
    name: 'read',
    description: 'Read a UTF-8 text file. Large files need a view_range.',
    input_schema: {
      type: 'object',
      properties: {
        file_path: { type: 'string' },
        view_range: {
          type: 'array',
          items: { type: 'integer' },
          description: '[start_line, end_line] 1-indexed inclusive',
        },
      },
      required: ['file_path'],
    },
  },
  write: {
    name: 'write',
    description: 'Write a UTF-8 text file, creating parent directories as needed.',
    input_schema: {
      type: 'object',
      properties: { file_path: { type: 'string' }, content: { type: 'string' } },
      required: ['file_path', 'content'],
    },
  },
  edit: {
    name: 'edit',
    description:
      'Replace old_string with new_string in a file. old_string must be unique unless replace_all.',
    input_schema: {
      type: 'object',
      properties: {
        file_path: { type: 'string' },
        old_string: { type: 'string' },
        new_string: { type: 'string' },
        replace_all: { type: 'boolean' },
      },
      required: ['file_path', 'old_string', 'new_string'],
    },
  },
  glob: {
    name: 'glob',
    description: 'Match files against a glob pattern. Results are sorted newest first.',
    input_schema: {
      type: 'object',
      properties: {
        pattern: { type: 'string' },
        path: { type: 'string', description: 'Directory to search in. Defaults to the working directory.' },
      },
      required: ['pattern'],
    },
  },
  grep: {
    name: 'grep',
    description:
      'Search file contents for a regular expression (ripgrep semantics). Returns path:line:text lines.',
    input_schema: {
      type: 'object',
      properties: { pattern: { type: 'string' }, path: { type: 'string' } },
      required: ['pattern'],
    },
  },
  web_fetch: {
    name: 'web_fetch',
    description: 'Fetch a URL and return its content as text.',
    input_schema: {
      type: 'object',
      properties: { url: { type: 'string', description: 'The http(s) URL to fetch' } },
      required: ['url'],
    },
  },
  web_search: {
    name: 'web_search',
    description: 'Search the web and return result titles, URLs and snippets.',
    input_schema: {
      type: 'object',
      properties: { query: { type: 'string', description: 'The search query' } },
      required: ['query'],
    },
  },
};
