/** A message `content` as text: a string as is, or the `text` of its text blocks joined; null when malformed. */
export function contentText(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return null;
  const parts: string[] = [];
  for (const block of content) {
    if (typeof block !== 'object' || block === null) return null;
    const { type, text } = block as { type?: unknown; text?: unknown };
    if (type !== 'text' || typeof text !== 'string') return null;
    parts.push(text);
  }
  return parts.join('');
}

/** A rough token count for usage fields: words and punctuation runs. */
export function roughTokenCount(texts: readonly string[]): number {
  return texts.reduce((sum, text) => sum + (text.match(/\w+|[^\w\s]+/g)?.length ?? 0), 0);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
