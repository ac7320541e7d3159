/** One Server-Sent Event: its `event` field ("message" when absent) and its data lines joined by "\n". */
export interface SseEvent {
  event: string;
  data: string;
}

const LINE_END = /\r\n|\n|\r/;

/**
 * Server-Sent Events as the HTML standard parses them, from raw body chunks: UTF-8 decoded across chunk
 * boundaries, any line ending, comments and unknown fields skipped. An event still open when the body ends is
 * delivered rather than dropped, since hand-written agents often forget the final blank line.
 */
export async function* sseEvents(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];

  function* take(line: string): Generator<SseEvent> {
    if (line === '') {
      if (data.length > 0) yield { event: event || 'message', data: data.join('\n') };
      event = '';
      data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
  }

  for await (const chunk of chunks) {
    buffer += decoder.decode(chunk, { stream: true });
    for (;;) {
      const end = LINE_END.exec(buffer);
      // A lone "\r" at the very end may be the first half of "\r\n": wait for the next chunk.
      if (!end || (end[0] === '\r' && end.index === buffer.length - 1)) break;
      const line = buffer.slice(0, end.index);
      buffer = buffer.slice(end.index + end[0].length);
      yield* take(line);
    }
  }
  buffer += decoder.decode();
  for (const line of buffer.split(LINE_END)) yield* take(line);
  yield* take('');
}
