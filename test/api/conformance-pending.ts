/**
 * The conformance test's lists (test/api/conformance.test.ts). Other issues own these families;
 * when one lands, its methods answer something other than "no route" and the test fails until
 * they move out of NOT_YET_SERVED and get builders.
 */

/** client.beta's managed-agents family and its neighbours (models, messages, organization are not). */
export const CONFORMANCE_FAMILY = [
  'agents',
  'environments',
  'sessions',
  'vaults',
  'files',
  'memoryStores',
  'skills',
  'deployments',
  'deploymentRuns',
  'dreams',
  'webhooks',
  'tunnels',
  'userProfiles',
] as const;

/** SDK methods that make no request of their own (helpers over other methods, or local parsing). */
export const CLIENT_SIDE_HELPERS = [
  'beta.environments.work.poller',
  'beta.environments.work.worker',
  'beta.sessions.events.toolRunner',
  'beta.webhooks.parseUnverified',
  'beta.webhooks.unwrap',
];

/** Every family is served; a method the SDK adds later goes here until it is. */
export const NOT_YET_SERVED: string[] = [];
