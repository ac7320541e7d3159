/** A finding of the outbound content filter: which rule matched, never the words themselves. */
export interface ContentFinding {
  /** `profanity`, `threat`, `harassment`, `operator-list`. */
  rule: string;
}

/**
 * Screens outbound text (SMS, email, WhatsApp, spoken text) before it is sent. Returns one finding per
 * rule that matched, in a stable order; none when the text is clean. Must be fast: it runs on every send.
 */
export interface ContentFilter {
  check(text: string): ContentFinding[];
}
