/** What a live conversation sends back on its voice socket; the host turns it into the provider's protocol. */
export interface ConversationOutput {
  /** A piece of the agent's reply, to be spoken; `last` ends the turn. */
  text(token: string, last: boolean): void;
  /** Ends the conversation; the provider then calls the action URL with this handoff data. */
  end(handoffData: string): void;
  /** Plays DTMF tones to the call (navigating a phone menu). */
  sendDigits(digits: string): void;
  /**
   * A new reply starts (its text follows). Outputs that synthesise and send audio themselves (media
   * streams) report its first audio and first frame through `progress`, for the turn's latency breakdown.
   */
  replyStarted?(progress: ReplyProgress): void;
}

/** Audio milestones of one reply, reported by outputs that make the audio. */
export interface ReplyProgress {
  firstAudio(): void;
  firstFrame(): void;
}

/** Handoff data our socket sends with `end`, read back by the conversation-end webhook. */
export type Handoff = { reason: 'transfer'; to: string } | { reason: 'hangup' };

/** When the caller's turn was heard, for the latency breakdown (milliseconds of the ports' clock). */
export interface HeardAt {
  /** The caller stopped speaking (null when the provider's recogniser does not say). */
  speechEndAt: number | null;
  /** The final transcript arrived. */
  finalAt: number;
}
