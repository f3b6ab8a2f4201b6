import { type Logger, pino } from 'pino';
import pretty from 'pino-pretty';

/** Log formats: `pretty` lines for people, `json` lines for log collectors. */
export type LogFormat = 'pretty' | 'json';

/** A logger that writes to stderr only, so that stdout carries nothing but the command's result. */
export function createLogger(level: string, format: LogFormat): Logger {
  if (format === 'json') return pino({ level, base: undefined }, pino.destination({ fd: 2, sync: true }));
  const stream = pretty({
    destination: 2,
    sync: true,
    singleLine: true,
    colorize: process.stderr.isTTY === true,
    ignore: 'pid,hostname',
    translateTime: 'SYS:HH:MM:ss',
  });
  return pino({ level, base: undefined }, stream);
}
