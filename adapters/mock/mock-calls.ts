import type {
  CallScript, CallStatus, CallStatusUpdate, ConversationSettings, IncomingCall, MakeCallRequest, MakeCallResult, TelephonyCalls,
} from '../../ports/calls.js';
import { FINAL_CALL_STATUSES } from '../../ports/calls.js';
import { DomainError } from '../../ports/errors.js';
import type { ProviderEventSink } from '../../ports/plugin.js';
import type { Clock, IdGenerator } from '../../ports/runtime.js';
import type { WebhookReply, WebhookRequest } from '../../ports/webhook.js';
import { parseMockCallStatus } from './mock-call-forms.js';
import {
  checkConversationSettings, mockConversationReply, mockHangupReply, mockTransferReply, parseMockConversationEnd,
  parseMockIncomingCall,
} from './mock-conversation.js';
import { mockFaultError, type MockTelephonyFault } from './mock-faults.js';

/** What demo mode "called". */
export interface MockPlacedCall {
  providerCallId: string;
  /** Our call id, echoed back in the pushed status events. */
  reference: string;
  from: string;
  to: string;
  script: CallScript;
  statusCallbackUrl: string | null;
  placedAt: Date;
  /** Where the demo call is now; it moves along as the events are pushed. */
  status: CallStatus;
}

/** Demo-mode length of one audio file: the mock downloads nothing, so it cannot know the real one. */
export const MOCK_SECONDS_PER_PLAY = 2;

export interface MockCallsDependencies {
  clock: Clock;
  ids: IdGenerator;
  events: ProviderEventSink;
  /** Pause between simulated status changes (ms); an answered call also stays on the line this long per file played. */
  statusDelayMs: number;
  /** The fault the SMS half plays too: one switch for the whole demo provider. */
  fault(): MockTelephonyFault | null;
  /** Keeps the record (the owner caps its history). */
  record(call: MockPlacedCall): void;
  /** True for a call id this demo provider issued (ended calls are no longer tracked here). */
  wasPlaced(providerCallId: string): boolean;
  refusedNumber: string;
}

interface LiveCall {
  call: MockPlacedCall;
  timers: Set<NodeJS.Timeout>;
  /** performance.now() when it was answered; null before. */
  answeredAt: number | null;
  /** Files to play in all; null for a conversation, which lasts until it is hung up. */
  plays: number | null;
}

function invalidScript(problem: string, nextStep: string): DomainError {
  return new DomainError('INVALID_INPUT', `The call script is invalid: ${problem}.`, nextStep, { provider: 'mock' });
}

/** A copy of the script, so that later changes by the caller do not rewrite the record. */
function checkScript(script: CallScript): CallScript {
  if (script.kind === 'converse') {
    checkConversationSettings(script.conversation);
    const { parameters } = script.conversation;
    return { kind: 'converse', conversation: { ...script.conversation, ...(parameters ? { parameters: { ...parameters } } : {}) } };
  }
  if (script.audioUrls.length === 0) throw invalidScript('no audio files', 'Give at least one audio URL to play.');
  if (script.audioUrls.some((url) => !URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))) {
    throw invalidScript('an audio URL is not an absolute http(s) URL', 'Give public https:// URLs of MP3 or WAV files.');
  }
  if (!Number.isInteger(script.loop) || script.loop < 1) throw invalidScript('loop must be a whole number of at least 1', 'Set loop to 1 to play the files once.');
  return { ...script, audioUrls: [...script.audioUrls] };
}

/**
 * Demo-mode calls: nothing rings anywhere. A call is recorded, then reported initiated, ringing, in-progress and
 * completed through the provider event sink, as a real provider's status callbacks would be. A conversation call
 * opens no socket: it stays in progress until it is hung up.
 */
export class MockCalls implements TelephonyCalls {
  private readonly live = new Map<string, LiveCall>();

  constructor(private readonly deps: MockCallsDependencies) {}

  async makeCall(request: MakeCallRequest): Promise<MakeCallResult> {
    const fault = this.deps.fault();
    if (fault) throw mockFaultError(fault);
    if (request.to === this.deps.refusedNumber) {
      throw new DomainError(
        'INVALID_PHONE_NUMBER',
        `The demo provider refused ${this.deps.refusedNumber} (it plays Twilio's invalid test number).`,
        'Use another destination number; do not retry this one.',
        { provider: 'mock', providerCode: 21217 },
      );
    }
    const script = checkScript(request.script);
    const call: MockPlacedCall = {
      providerCallId: this.deps.ids.next('MOCKCALL'),
      reference: request.reference,
      from: request.from,
      to: request.to,
      script,
      statusCallbackUrl: request.statusCallbackUrl ?? null,
      placedAt: this.deps.clock.now(),
      status: 'queued',
    };
    this.deps.record(call);
    const plays = script.kind === 'play' ? script.audioUrls.length * script.loop : null;
    const state: LiveCall = { call, timers: new Set(), answeredAt: null, plays };
    this.live.set(call.providerCallId, state);
    const delay = this.deps.statusDelayMs;
    const progress: Array<[delayMs: number, report: () => void]> = [
      [delay, () => this.report(state, 'initiated', null)],
      [delay, () => this.report(state, 'ringing', null)],
      [delay, () => {
        state.answeredAt = performance.now();
        this.report(state, 'in-progress', null);
      }],
    ];
    if (plays !== null) progress.push([delay * plays, () => this.report(state, 'completed', plays * MOCK_SECONDS_PER_PLAY)]);
    this.inTurn(state, progress);
    return { providerCallId: call.providerCallId, status: 'queued' };
  }

  parseCallStatus(request: WebhookRequest): CallStatusUpdate {
    return parseMockCallStatus(request);
  }

  /** An answered call ends `completed` with the seconds it lasted; one still ringing ends `canceled`. */
  async hangUp(providerCallId: string): Promise<void> {
    const state = this.live.get(providerCallId);
    if (!state) {
      // Hanging up a call that already ended changes nothing.
      if (this.deps.wasPlaced(providerCallId)) return;
      throw new DomainError('NOT_FOUND', 'The demo provider knows no such call.', 'Check the call id: it must be one demo mode placed.', { provider: 'mock' });
    }
    this.cancelTimers(state);
    if (state.answeredAt === null) {
      this.later(state, 0, () => this.report(state, 'canceled', 0));
      return;
    }
    const elapsedMs = performance.now() - state.answeredAt;
    this.later(state, 0, () => this.report(state, 'completed', this.secondsConnected(state.plays, elapsedMs)));
  }

  parseIncomingCall(request: WebhookRequest): IncomingCall {
    return parseMockIncomingCall(request);
  }

  answerWithConversation(settings: ConversationSettings): WebhookReply {
    return mockConversationReply(settings);
  }

  parseConversationEnd(request: WebhookRequest): { providerCallId: string; handoffData: string | null } {
    return parseMockConversationEnd(request);
  }

  answerWithTransfer(to: string, callerId: string): WebhookReply {
    return mockTransferReply(to, callerId);
  }

  answerWithHangup(): WebhookReply {
    return mockHangupReply();
  }

  /** A played call lasts the files heard (one delay each); a conversation lasts the real time it was connected. */
  private secondsConnected(plays: number | null, elapsedMs: number): number {
    if (plays === null) return Math.max(1, Math.ceil(elapsedMs / 1000));
    const playsHeard = this.deps.statusDelayMs > 0 ? elapsedMs / this.deps.statusDelayMs : plays;
    return Math.max(1, Math.min(plays * MOCK_SECONDS_PER_PLAY, Math.ceil(playsHeard * MOCK_SECONDS_PER_PLAY)));
  }

  close(): void {
    for (const state of this.live.values()) this.cancelTimers(state);
    this.live.clear();
  }

  private report(state: LiveCall, status: CallStatus, durationSeconds: number | null): void {
    const { call } = state;
    call.status = status;
    if (FINAL_CALL_STATUSES.includes(status)) this.live.delete(call.providerCallId);
    this.deps.events.callStatus({
      reference: call.reference,
      providerCallId: call.providerCallId,
      status,
      durationSeconds,
      priceMicros: null,
      currency: null,
      occurredAt: this.deps.clock.now(),
    });
  }

  /**
   * Each step after the one before it has run: separate timers of nearby deadlines can fire out of order
   * on a busy event loop, and a call's statuses must not.
   */
  private inTurn(state: LiveCall, steps: Array<[delayMs: number, report: () => void]>): void {
    const [first, ...rest] = steps;
    if (!first) return;
    this.later(state, first[0], () => {
      first[1]();
      this.inTurn(state, rest);
    });
  }

  /** Unref'd, so a demo call never keeps the process alive. */
  private later(state: LiveCall, delayMs: number, report: () => void): void {
    const timer = setTimeout(() => {
      state.timers.delete(timer);
      report();
    }, delayMs);
    timer.unref();
    state.timers.add(timer);
  }

  private cancelTimers(state: LiveCall): void {
    for (const timer of state.timers) clearTimeout(timer);
    state.timers.clear();
  }
}
