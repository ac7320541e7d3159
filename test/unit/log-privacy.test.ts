import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../adapters/node/pino-logger.js';
import { requestLogger } from '../../hosts/shared/request-ports.js';

function capture(): { stream: Writable; lines(): Array<Record<string, unknown>>; text(): string } {
  let text = '';
  const stream = new Writable({ write(chunk: Buffer, _enc, done) { text += chunk.toString(); done(); } });
  return { stream, text: () => text, lines: () => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('log privacy (pino logger)', () => {
  it('scrubs numbers and addresses from messages, fields and errors, and redacts contents and secrets by key', () => {
    const out = capture();
    const logger = createLogger('debug', 2, 'json', out.stream).child({ port: 'telephony' });
    logger.warn({
      err: Object.assign(new Error("The 'To' number +1 555 010 0199 is not a valid phone number (to ada@example.com)"), { code: 21211 }),
      to: 'whatsapp:+15550100198', cc: ['bob@example.com'], body: 'secret words', subject: 'private', token: 'aoc_abc', apiKey: 'key_1',
      options: { authToken: 'tw_auth', accountSid: 'AC123' }, count: 3,
    }, 'send to +15550100197 failed');
    const text = out.text();
    for (const leaked of ['555 010 0199', '15550100198', '15550100197', 'ada@example.com', 'bob@example.com', 'secret words', 'private', 'aoc_abc', 'key_1', 'tw_auth']) {
      expect(text).not.toContain(leaked);
    }
    const [line] = out.lines();
    expect(line).toMatchObject({ level: 40, port: 'telephony', count: 3, body: '[redacted]', token: '[redacted]', msg: 'send to [redacted] failed' });
    expect((line!.err as { code: number; message: string }).code).toBe(21211);
  });

  it('puts the request id on every line of a request\'s logger and of its children, not on the server\'s', () => {
    const out = capture();
    const logger = createLogger('info', 2, 'json', out.stream).child({ port: 'email' });
    const request = requestLogger(logger, 'req_ctx1');
    request.info({}, 'inside');
    request.child({ component: 'x' }).warn({}, 'inside child');
    requestLogger(logger, 'req_ctx2').child({ component: 'y' }).error({}, 'child first');
    logger.info({}, 'outside');
    expect(out.lines().map((l) => [l.msg, l.requestId, l.port, l.component])).toEqual([
      ['inside', 'req_ctx1', 'email', undefined], ['inside child', 'req_ctx1', 'email', 'x'], ['child first', 'req_ctx2', 'email', 'y'], ['outside', undefined, 'email', undefined],
    ]);
  });
});
