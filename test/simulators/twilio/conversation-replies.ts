/** One turn of the agent: the `text` tokens it streamed, up to `last: true` (or until interrupted). */
export interface ConversationReply {
  /** The tokens joined, as the caller heard them. */
  text: string;
  tokens: string[];
  /** Milliseconds from the prompt (or key press) to the first token; null when the agent spoke unprompted. */
  firstTokenMs: number | null;
  /** Milliseconds from the prompt to the token with `last: true` (or to the interruption). */
  lastTokenMs: number | null;
  /** The caller interrupted the reply (`interrupt` was sent) before its last token. */
  interrupted: boolean;
  /** The session ended (the agent sent `end`, or the socket closed) before the reply was complete. */
  ended: boolean;
  /** Tokens the agent still sent for this reply after it was interrupted: a well-behaved agent sends none. */
  tokensAfterInterrupt: string[];
}

/** The `interrupt` message sent: what Twilio had spoken of the reply, and for how long. */
export interface Interruption {
  utteranceUntilInterrupt: string;
  durationUntilInterruptMs: number;
}

interface Turn {
  promptAt: number | null;
  tokens: string[];
  firstAt: number;
}

interface InterruptArm {
  afterTokens: number;
  resolve(interruption: Interruption): void;
  reject(err: Error): void;
}

const DEFAULT_REPLY_TIMEOUT_MS = 10_000;

/** Splits the agent's `text` tokens into replies, times them, and interrupts them on request. */
export class ConversationReplies {
  /** Every reply, complete or interrupted, oldest first. */
  readonly replies: ConversationReply[] = [];
  private current: Turn | null = null;
  private promptAt: number | null = null;
  /** The last reply interrupted, which late tokens are charged to until the caller speaks again. */
  private interruptedReply: ConversationReply | null = null;
  private arm: InterruptArm | null = null;
  private over = false;
  /** Replies already handed out by `next()` or `afterPrompt()`. */
  private delivered = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly sendInterrupt: (interruption: Interruption) => void,
    private readonly replyTimeoutMs = DEFAULT_REPLY_TIMEOUT_MS,
  ) {}

  /** The caller spoke (or pressed a key): the next reply is timed from now. Returns that reply's index. */
  prompted(): number {
    this.promptAt = performance.now();
    this.interruptedReply = null;
    return this.replies.length + (this.current ? 1 : 0);
  }

  token(token: string, last: boolean): void {
    const now = performance.now();
    if (!this.current && this.interruptedReply) {
      this.interruptedReply.tokensAfterInterrupt.push(token);
      // The agent closed the interrupted turn: anything after this is a new reply.
      if (last) this.interruptedReply = null;
      return;
    }
    if (!this.current) {
      // An empty closing token with nothing before it is no reply at all.
      if (token === '' && last) return;
      this.current = { promptAt: this.promptAt, tokens: [], firstAt: now };
      this.promptAt = null;
    }
    this.current.tokens.push(token);
    if (last) {
      this.finish({ interrupted: false, ended: false }, now);
      return;
    }
    if (this.arm && this.current.tokens.length >= this.arm.afterTokens) this.fireArm();
  }

  /** Interrupts the reply being spoken (if any); the caller sends the returned message. */
  interrupt(utterance?: string): Interruption {
    const now = performance.now();
    const current = this.current;
    const interruption: Interruption = {
      utteranceUntilInterrupt: utterance ?? current?.tokens.join('') ?? '',
      durationUntilInterruptMs: current ? Math.round(now - current.firstAt) : 0,
    };
    if (current) this.interruptedReply = this.finish({ interrupted: true, ended: false }, now);
    return interruption;
  }

  /** Interrupts the reply being spoken once it has `n` tokens (this one or the next to start). */
  interruptAfterTokens(n: number): Promise<Interruption> {
    if (!Number.isInteger(n) || n < 1) return Promise.reject(new Error('interruptAfterTokens needs a whole number of at least 1'));
    this.arm?.reject(new Error('replaced by another interruptAfterTokens'));
    const armed = new Promise<Interruption>((resolve, reject) => {
      this.arm = { afterTokens: n, resolve, reject };
      if (this.current && this.current.tokens.length >= n) this.fireArm();
    });
    // Handled here too: a test that only looks at the reply must not fail on an arm the session outlived.
    armed.catch(() => {});
    return armed;
  }

  /** The session is over: a reply in progress ends `ended`, and waiting for more resolves with an empty one. */
  end(): void {
    if (this.over) return;
    if (this.current) this.finish({ interrupted: false, ended: true }, performance.now());
    this.over = true;
    this.arm?.reject(new Error('the conversation ended before the reply reached the tokens to interrupt after'));
    this.arm = null;
    this.notify();
  }

  /** The next reply not handed out yet. */
  next(timeoutMs = this.replyTimeoutMs): Promise<ConversationReply> {
    return this.at(this.delivered, timeoutMs);
  }

  /** The reply with this index (from `prompted()`), once complete. */
  at(index: number, timeoutMs = this.replyTimeoutMs): Promise<ConversationReply> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const reply = this.replies[index] ?? (this.over ? emptyEndedReply() : undefined);
        if (!reply) return;
        this.listeners.delete(check);
        clearTimeout(timer);
        this.delivered = Math.max(this.delivered, index + 1);
        resolve(reply);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        const partial = this.current?.tokens.join('') ?? '';
        reject(new Error(`no complete reply from the agent within ${timeoutMs} ms${partial ? ` (so far: "${partial.slice(0, 200)}")` : ''}`));
      }, timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  private fireArm(): void {
    const arm = this.arm;
    if (!arm) return;
    this.arm = null;
    const interruption = this.interrupt();
    this.sendInterrupt(interruption);
    arm.resolve(interruption);
  }

  private finish(how: { interrupted: boolean; ended: boolean }, now: number): ConversationReply {
    const turn = this.current ?? { promptAt: null, tokens: [], firstAt: now };
    this.current = null;
    const reply: ConversationReply = {
      text: turn.tokens.join(''),
      tokens: turn.tokens,
      firstTokenMs: turn.promptAt === null ? null : Math.round(turn.firstAt - turn.promptAt),
      lastTokenMs: turn.promptAt === null ? null : Math.round(now - turn.promptAt),
      interrupted: how.interrupted,
      ended: how.ended,
      tokensAfterInterrupt: [],
    };
    this.replies.push(reply);
    // A reply that ended short of the armed count cannot be interrupted any more.
    if (this.arm && !how.interrupted) {
      this.arm.reject(new Error(`the reply was complete after ${turn.tokens.length} tokens: nothing left to interrupt after token ${this.arm.afterTokens}`));
      this.arm = null;
    }
    this.notify();
    return reply;
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

function emptyEndedReply(): ConversationReply {
  return { text: '', tokens: [], firstTokenMs: null, lastTokenMs: null, interrupted: false, ended: true, tokensAfterInterrupt: [] };
}
