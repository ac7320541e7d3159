/** A sentence ends at . ! ? … (or a line break) followed by white space; abbreviations may split early, which only costs a pause. */
const SENTENCE_END = /[.!?…]+["')\]]*\s+|\n+/g;
/** Longer than this without an end, a clause boundary will do: the caller should not wait for a run-on sentence. */
const MAX_CHARS = 180;
const CLAUSE_END = /[,;:]\s+/g;

/**
 * Cuts a token stream into speakable pieces as soon as each is complete, so synthesis of the first
 * sentence starts while the brain is still writing the rest.
 */
export class SentenceSplitter {
  private buffer = '';

  /** Adds text; returns the pieces it completed. */
  push(text: string): string[] {
    this.buffer += text;
    const pieces: string[] = [];
    for (;;) {
      const end = firstMatchEnd(this.buffer, SENTENCE_END, 0) ?? (this.buffer.length > MAX_CHARS ? firstMatchEnd(this.buffer, CLAUSE_END, 0) : null);
      if (end === null) break;
      const piece = this.buffer.slice(0, end).trim();
      this.buffer = this.buffer.slice(end);
      if (piece !== '') pieces.push(piece);
    }
    return pieces;
  }

  /** Whatever is left (the reply ended). */
  flush(): string | null {
    const rest = this.buffer.trim();
    this.buffer = '';
    return rest === '' ? null : rest;
  }

  reset(): void {
    this.buffer = '';
  }
}

/** End of the first match of `pattern` from `from`, or null. */
function firstMatchEnd(text: string, pattern: RegExp, from: number): number | null {
  pattern.lastIndex = from;
  const match = pattern.exec(text);
  return match ? match.index + match[0].length : null;
}
