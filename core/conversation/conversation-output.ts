/** What a live conversation sends back on its voice socket; the host turns it into the provider's protocol. */
export interface ConversationOutput {
  /** A piece of the agent's reply, to be spoken; `last` ends the turn. */
  text(token: string, last: boolean): void;
  /** Ends the conversation; the provider then calls the action URL with this handoff data. */
  end(handoffData: string): void;
  /** Plays DTMF tones to the call (navigating a phone menu). */
  sendDigits(digits: string): void;
}

/** Handoff data our socket sends with `end`, read back by the conversation-end webhook. */
export type Handoff = { reason: 'transfer'; to: string } | { reason: 'hangup' };
