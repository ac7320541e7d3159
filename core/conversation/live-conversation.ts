import type { BrainPort, ConversationTurn } from '../../ports/brain.js';
import type { ConversationSettings } from '../../ports/calls.js';
import { isDomainError } from '../../ports/errors.js';
import type { AgentRecord, CallLogRecord, CallSpeaker, TurnLatency } from '../../ports/records.js';
import type { CorePorts } from '../context.js';
import type { ConversationOutput, Handoff, HeardAt } from './conversation-output.js';
import type { LiveCallHandle } from './live-call-registry.js';
import { TurnClock } from './turn-latency.js';

interface Reply {
  controller: AbortController;
  /** What has been sent to the socket so far. */
  spoken: string;
}

interface RecordedTurn {
  id: string;
  /** Index of this turn in `history`. */
  index: number;
}

/**
 * One live voice conversation: each caller turn goes to the brain, whose reply streams back token by
 * token. An interruption cancels the reply in flight, and the transcript and the brain's history keep
 * only what the caller actually heard. The host feeds it socket events and gives it an output.
 */
export class LiveConversation implements LiveCallHandle {
  private readonly history: ConversationTurn[] = [];
  private seq = 0;
  private reply: Reply | null = null;
  private lastAgentTurn: RecordedTurn | null = null;
  private closed = false;
  /** Transcript writes, in order; awaited on close so none is lost. */
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly ports: CorePorts,
    readonly call: CallLogRecord,
    private readonly agent: AgentRecord,
    private readonly brain: BrainPort,
    private readonly instructions: string,
    private readonly output: ConversationOutput,
    /** How the call was set up: greeting, voice, language, interruptibility, transport. */
    readonly settings: ConversationSettings,
  ) {}

  /** The agent speaks first (media streams: the provider does not speak a welcome greeting for us). */
  greet(text: string): void {
    if (this.closed || text.trim() === '') return;
    this.output.replyStarted?.({ firstAudio: () => undefined, firstFrame: () => undefined });
    this.output.text(text, true);
    this.remember('agent', text, false);
  }

  /** The caller said something (a final transcript); `heard` times it for the latency breakdown. */
  prompt(text: string, heard?: HeardAt): void {
    if (this.closed || text.trim() === '') return;
    this.cancelReply();
    this.remember('caller', text, false);
    const clock = new TurnClock(() => this.ports.clock.now().getTime());
    if (heard?.speechEndAt != null) clock.mark('speechEnd', heard.speechEndAt);
    clock.mark('sttFinal', heard?.finalAt);
    void this.answer(clock);
  }

  /**
   * The caller spoke over the agent. `heard` is what the provider had played until then: that, not the
   * whole reply, is what the transcript and the brain's memory keep.
   */
  interrupt(heard: string): void {
    if (this.reply) {
      this.cancelReply();
      this.remember('agent', heard, true);
    } else if (this.lastAgentTurn) {
      // The reply had already been generated in full: cut its record down to what was heard.
      const { id, index } = this.lastAgentTurn;
      this.history[index] = { role: 'assistant', text: heard };
      this.enqueue(() => this.ports.db.turns.revise(id, heard, true));
    }
  }

  /** A key press: the brain sees it as a caller turn. */
  dtmf(digit: string): void {
    this.prompt(`(the caller pressed ${digit})`);
  }

  /** Hands the caller to a human; the provider then asks the action webhook, which answers with a dial. */
  transfer(to: string): void {
    this.finish({ reason: 'transfer', to });
  }

  hangUp(): void {
    this.finish({ reason: 'hangup' });
  }

  /** The socket closed: stop any reply and wait until the transcript is written. */
  async close(): Promise<void> {
    this.closed = true;
    this.cancelReply();
    await this.writes;
  }

  private finish(handoff: Handoff): void {
    this.cancelReply();
    this.output.end(JSON.stringify(handoff));
  }

  private cancelReply(): void {
    this.reply?.controller.abort();
    this.reply = null;
  }

  private async answer(clock: TurnClock): Promise<void> {
    const reply: Reply = { controller: new AbortController(), spoken: '' };
    this.reply = reply;
    const { signal } = reply.controller;
    const turn: { id: string | null } = { id: null };
    // Audio milestones may come after the turn is stored (the brain is often done before the first frame).
    const progress = (mark: 'firstAudio' | 'firstFrame') => () => {
      if (clock.has(mark)) return;
      clock.mark(mark);
      const id = turn.id;
      if (id !== null && mark === 'firstFrame') this.enqueue(() => this.ports.db.turns.recordLatency(id, clock.latency()));
    };
    this.output.replyStarted?.({ firstAudio: progress('firstAudio'), firstFrame: progress('firstFrame') });
    try {
      const stream = this.brain.reply({
        instructions: this.instructions,
        history: [...this.history],
        callId: this.call.id,
        agentId: this.agent.id,
        agentEndpoint: this.agent.callbackUrl ? { url: this.agent.callbackUrl, secret: this.agent.callbackSecret } : null,
        signal,
      });
      for await (const token of stream) {
        if (signal.aborted) return;
        clock.mark('firstToken');
        reply.spoken += token;
        this.output.text(token, false);
      }
      if (signal.aborted) return;
      this.output.text('', true);
      this.reply = null;
      turn.id = this.remember('agent', reply.spoken, false, clock.latency());
    } catch (err) {
      if (signal.aborted) return;
      // Never a dead line: say sorry, keep the conversation open, and log what went wrong.
      const apology = this.ports.settings.voice.apology;
      this.ports.logger.warn(
        { callId: this.call.id, code: isDomainError(err) ? err.code : 'INTERNAL', spokenChars: reply.spoken.length },
        'brain failed during a call; apologised',
      );
      this.output.text(reply.spoken ? ` ${apology}` : apology, true);
      this.reply = null;
      this.remember('agent', reply.spoken ? `${reply.spoken} ${apology}` : apology, false);
    }
  }

  /**
   * Adds a turn to the brain's history and to the stored transcript (written in order, off the hot path);
   * returns the turn's id.
   */
  private remember(speaker: CallSpeaker, text: string, interrupted: boolean, latency: TurnLatency | null = null): string {
    const index = this.history.push({ role: speaker === 'caller' ? 'user' : 'assistant', text }) - 1;
    const turn = {
      id: this.ports.ids.next('turn'),
      callId: this.call.id,
      seq: ++this.seq,
      speaker,
      text,
      interrupted,
      createdAt: this.ports.clock.now(),
      latency,
    };
    this.lastAgentTurn = speaker === 'agent' ? { id: turn.id, index } : null;
    this.enqueue(() => this.ports.db.turns.append(turn));
    return turn.id;
  }

  private enqueue(write: () => Promise<void>): void {
    this.writes = this.writes.then(write).catch((err: unknown) => {
      this.ports.logger.error({ callId: this.call.id, err }, 'could not store a transcript turn');
    });
  }
}
