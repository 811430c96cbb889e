import type { AgentService } from '../core/agents/agent-service.js';
import type { ApiKeyService } from '../core/api-keys.js';

/**
 * What the HTTP layer needs from the core. Built by the composition root
 * (src/server.ts); routes only ever talk to these services.
 */
export interface AppContext {
  apiKeys: ApiKeyService;
  agents: AgentService;
}
