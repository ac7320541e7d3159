import { isatty } from 'node:tty';

/** `auto`: readable lines for a person at a terminal, JSON lines for anything else (files, pipes, collectors). */
export function logFormat(format: 'auto' | 'json' | 'pretty', fd: 1 | 2): 'json' | 'pretty' {
  return format === 'auto' ? (isatty(fd) ? 'pretty' : 'json') : format;
}
