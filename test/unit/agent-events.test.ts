import { describe, expect, it } from 'vitest';
import { InProcessAgentEvents } from '../../adapters/node/in-process-agent-events.js';
import { Doorbell } from '../../core/doorbell.js';
import type { AgentEvent } from '../../ports/agent-events.js';
import { recordingLogger } from '../support/test-server.js';

const event = (agentId: string, id = 'msg_1'): AgentEvent => ({ agentId, kind: 'message.received', id, at: '2026-12-01T00:00:00.000Z' });

describe('in-process agent events', () => {
  it('delivers an agent\'s events to its listeners only, and stops each one on its own', () => {
    const events = new InProcessAgentEvents();
    const heard: string[] = [];
    const listener = (e: AgentEvent) => heard.push(`${e.agentId}:${e.id}`);
    const stopA1 = events.subscribe('agt_a', listener);
    const stopA2 = events.subscribe('agt_a', listener);
    const stopB = events.subscribe('agt_b', listener);
    events.publish(event('agt_a'));
    expect(heard).toEqual(['agt_a:msg_1', 'agt_a:msg_1']);
    stopA1();
    stopA1();
    events.publish(event('agt_a', 'msg_2'));
    expect(heard.slice(2)).toEqual(['agt_a:msg_2']);
    expect(events.listenerCount('agt_a')).toBe(1);
    stopA2();
    stopB();
    expect(events.listenerCount()).toBe(0);
  });

  it('keeps delivering to the others when a listener throws, and logs it', () => {
    const logger = recordingLogger();
    const events = new InProcessAgentEvents(logger);
    const heard: string[] = [];
    events.subscribe('agt_a', () => {
      throw new Error('listener bug');
    });
    events.subscribe('agt_a', (e) => heard.push(e.id));
    expect(() => events.publish(event('agt_a'))).not.toThrow();
    expect(heard).toEqual(['msg_1']);
    expect(logger.lines).toEqual([{ level: 'warn', msg: 'an agent event listener failed' }]);
  });

  it('lets a listener stop itself while an event is being delivered', () => {
    const events = new InProcessAgentEvents();
    const heard: string[] = [];
    const stop = events.subscribe('agt_a', () => {
      heard.push('once');
      stop();
    });
    events.subscribe('agt_a', () => heard.push('always'));
    events.publish(event('agt_a'));
    events.publish(event('agt_a'));
    expect(heard).toEqual(['once', 'always', 'always']);
  });
});

describe('doorbell', () => {
  it('keeps a ring made between two waits, and makes one wake-up of many rings', async () => {
    const bell = new Doorbell();
    bell.ring();
    bell.ring();
    expect(await bell.wait(1000)).toBe(true);
    expect(await bell.wait(10)).toBe(false);
  });

  it('wakes a waiter when rung, and stops at once when its signal aborts', async () => {
    const bell = new Doorbell();
    const waiting = bell.wait(5000);
    bell.ring();
    expect(await waiting).toBe(true);
    const abort = new AbortController();
    const aborted = bell.wait(5000, abort.signal);
    abort.abort();
    expect(await aborted).toBe(false);
    expect(await bell.wait(5000, abort.signal)).toBe(false);
  });
});
