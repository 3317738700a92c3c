// The benchmarks' logger: pino to stderr, so stdout carries only the tables.
import { type Logger, pino } from 'pino';

export function benchLogger(name: string): Logger {
  return pino({ name: `bench-${name}`, level: 'info' }, pino.destination({ fd: 2, sync: true }));
}
