import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * The node's logger: JSON lines on stderr (stdout keeps the few human-readable start-up lines),
 * each with the node's id; requests add their request id, session routes their session id.
 */
export function createLogger(options: { level: string; nodeId: string }): Logger {
  return pino(
    { level: options.level, base: { node: options.nodeId }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ fd: 2, sync: true }),
  );
}

/**
 * The logger Fastify gets: at info (the default) it logs only failures, not a line per
 * request; debug and trace log every request as before (PADDOCK_LOG_LEVEL).
 */
export function requestLogger(logger: Logger): Logger {
  const verbose = logger.level === 'debug' || logger.level === 'trace';
  return verbose ? logger : logger.child({}, { level: 'warn' });
}
