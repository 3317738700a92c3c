// pino JSON logs. OVMS log levels map onto pino's; every component takes a child logger bound to
// what it works on (`model`, `version`, `worker`).
import { type DestinationStream, type Logger, pino } from 'pino';
import type { LOG_LEVELS } from './config.ts';

type LogLevel = (typeof LOG_LEVELS)[number];

const PINO_LEVEL: Record<LogLevel, pino.Level> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARNING: 'warn',
  ERROR: 'error',
};

/** The server's root logger: JSON lines on stdout (or `destination`), `name: ovfleet-server`. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name: 'ovfleet-server',
    level: PINO_LEVEL[level],
    base: { pid: process.pid },
  };
  return destination === undefined
    ? pino(options, pino.destination({ sync: true }))
    : pino(options, destination);
}
