import { DOCUMENT_PARSE_FAILURE, type CalleeFetcher } from './callee-fetcher.js';
import { conversationEndForm, type ConversationEndEvent } from './call-webhook-forms.js';
import type { TwimlProblem } from './simulated-callee.js';
import type { ConversationEnd, SimulatedConversation } from './simulated-conversation.js';
import type { SimulatedMediaStream } from './simulated-media-stream.js';
import type { SimulatedCall } from './twilio-call-resource.js';
import { parseVoiceTwiml, TwimlParseError, type ConnectVerb, type VoiceVerb } from './twiml-voice-document.js';

export interface ConnectEnvironment {
  fetcher: CalleeFetcher;
  /** Starts the session of a `<Connect><ConversationRelay>` (it connects in the background). */
  startConversation(call: SimulatedCall, verb: ConnectVerb & { relay: NonNullable<ConnectVerb['relay']> }): SimulatedConversation;
  /** Starts the bidirectional Media Stream of a `<Connect><Stream>` (it connects in the background). */
  startMediaStream(call: SimulatedCall, verb: ConnectVerb & { stream: NonNullable<ConnectVerb['stream']> }): SimulatedMediaStream;
  twimlProblem(problem: TwimlProblem): void;
}

/** How a `<Connect>` ended, and what the call does next. Seconds are real ones: a conversation runs in real time. */
export type ConnectOutcome =
  /** Twilio ended the session itself (REST change, simulator stopped): the caller of `runConnect` knows why. */
  | { kind: 'interrupted'; seconds: number }
  /** No action URL: Twilio goes on with the verb after `<Connect>`. */
  | { kind: 'next'; seconds: number }
  /** The caller hung up: the call is over whatever the action answered. */
  | { kind: 'caller-hung-up'; seconds: number }
  /** The action answered TwiML: it replaces the rest of the document. */
  | { kind: 'instructions'; seconds: number; verbs: VoiceVerb[] }
  /** The action could not be fetched or parsed: "an application error has occurred", then Twilio hangs up. */
  | { kind: 'failed'; seconds: number };

function whenAborted(signal: AbortSignal): Promise<'aborted'> {
  if (signal.aborted) return Promise.resolve('aborted');
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve('aborted'), { once: true }));
}

function sessionStatus(end: ConversationEnd): ConversationEndEvent['sessionStatus'] {
  if (end.by === 'agent') return 'ended';
  if (end.by === 'caller') return 'completed';
  return 'failed';
}

/**
 * Runs `<Connect><ConversationRelay>` (or `<Connect><Stream>`) as Twilio does: opens the session, waits for it to end (our `end` message, the
 * caller hanging up, a broken socket), then requests the `<Connect action>` URL with the session's outcome and
 * returns the TwiML it answered. The socket is closed once the action has answered.
 */
export async function runConnect(env: ConnectEnvironment, call: SimulatedCall, verb: ConnectVerb, signal: AbortSignal): Promise<ConnectOutcome> {
  const { relay, stream } = verb;
  if (!relay && !stream) {
    env.twimlProblem({ callSid: call.sid, url: null, errorCode: null, reason: `<Connect> with ${verb.nouns.join(', ') || 'nothing'} is not simulated; skipped` });
    return { kind: 'next', seconds: 0 };
  }
  const started = performance.now();
  const conversation = relay ? env.startConversation(call, { ...verb, relay }) : env.startMediaStream(call, { ...verb, stream: stream! });
  const end = await Promise.race([conversation.outcome, whenAborted(signal)]);
  const seconds = (performance.now() - started) / 1000;
  if (end === 'aborted') {
    conversation.endByProvider();
    return { kind: 'interrupted', seconds };
  }
  if (end.by === 'caller') conversation.closeSocket();
  if (!verb.action) {
    conversation.closeSocket();
    return end.by === 'caller' ? { kind: 'caller-hung-up', seconds } : { kind: 'next', seconds };
  }
  const form = conversationEndForm(call, {
    sessionId: conversation.sessionId,
    sessionStatus: sessionStatus(end),
    sessionDurationSeconds: Math.round(seconds),
    ...(end.by === 'agent' && end.handoffData !== null ? { handoffData: end.handoffData } : {}),
    ...(end.by === 'failed' || end.by === 'socket-closed' ? { errorMessage: end.by === 'failed' ? end.reason : 'The WebSocket was closed by the application' } : {}),
  });
  const fetched = await env.fetcher.twiml(call, verb.action, verb.method, 'valid', form);
  let verbs: VoiceVerb[] | null = null;
  if (fetched.ok) {
    try {
      verbs = parseVoiceTwiml(fetched.twiml);
    } catch (err) {
      const reason = err instanceof TwimlParseError ? err.message : String(err);
      env.twimlProblem({ callSid: call.sid, url: verb.action, errorCode: DOCUMENT_PARSE_FAILURE, reason });
    }
  } else if (end.by !== 'caller') {
    env.twimlProblem({ callSid: call.sid, url: verb.action, errorCode: fetched.errorCode, reason: fetched.reason });
  }
  conversation.recordAction(fetched.request, fetched.ok ? fetched.twiml : null, verbs);
  conversation.closeSocket();
  if (end.by === 'caller') return { kind: 'caller-hung-up', seconds };
  return verbs ? { kind: 'instructions', seconds, verbs } : { kind: 'failed', seconds };
}
