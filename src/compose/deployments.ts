import type { PaddockConfig } from '../config/config.js';
import { parseSchedulerConfig } from '../config/deployments.js';
import type { AgentService } from '../core/agents/agent-service.js';
import type { Clock } from '../core/clock.js';
import { DeploymentRunner } from '../core/deployments/deployment-runner.js';
import { DeploymentScheduler } from '../core/deployments/deployment-scheduler.js';
import { DeploymentService } from '../core/deployments/deployment-service.js';
import type { IdGenerator } from '../core/ids.js';
import type { MeteringService } from '../core/metering/metering-service.js';
import { monetaryAmount } from '../core/metering/money.js';
import type { Store } from '../core/ports/store.js';
import { noWebhookOutbox, type WebhookOutbox } from '../core/ports/webhook-outbox.js';
import type { SessionCommands } from '../core/sessions/session-commands.js';
import type { SessionService } from '../core/sessions/session-service.js';
import type { SecretBox } from '../core/vaults/secret-box.js';

export interface DeploymentsFamily {
  service: DeploymentService;
  runner: DeploymentRunner;
  /** Runs on nodes that drive sessions (`serve`, `worker`); started and stopped with the harness. */
  scheduler: DeploymentScheduler;
}

/** Deployments, their runs and this node's scheduler (docs/deployments.md). */
export function createDeployments(
  config: PaddockConfig,
  deps: {
    store: Store;
    ids: IdGenerator;
    clock: Clock;
    agents: AgentService;
    secretBox: SecretBox;
    sessions: SessionService;
    /** Read at call time: the session commands are built after this family. */
    sessionCommands: () => SessionCommands;
    metering: MeteringService;
    webhooks?: WebhookOutbox | undefined;
    onError: (error: unknown, deploymentId?: string) => void;
  },
): DeploymentsFamily {
  const { store, ids, clock } = deps;
  const webhooks = deps.webhooks ?? noWebhookOutbox;
  const service = new DeploymentService({
    store,
    ids,
    clock,
    agents: deps.agents,
    sealer: deps.secretBox,
    webhooks,
  });
  const runner = new DeploymentRunner({
    store,
    ids,
    clock,
    deployments: service,
    createSession: (input, options) => deps.sessionCommands().create(input, options),
    cost: async (sessionId) => {
      const money = await deps.metering.consumed(await deps.sessions.retrieve(sessionId));
      return money === null ? null : (monetaryAmount(money) as { amount: string; currency: 'USD' });
    },
    webhooks,
  });
  const scheduler = new DeploymentScheduler({
    store,
    clock,
    runner,
    settings: config.deployments ?? parseSchedulerConfig({}),
    onError: deps.onError,
  });
  return { service, runner, scheduler };
}
