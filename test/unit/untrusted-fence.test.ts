import { describe, expect, it } from 'vitest';
import { fenceMarkers, fencedText } from '../../hosts/mcp/untrusted-fence.js';

const parse = (text: string) => JSON.parse(text.slice(text.indexOf('\n') + 1)) as Record<string, unknown>;

describe('untrusted fence', () => {
  const output = {
    messages: [
      { body: 'first', metadata: { subject: 'Hi', attachments: [{ filename: 'a.pdf', size: 1 }] }, from: '+15550100101' },
      { body: 'second', metadata: {}, from: 'ada@example.com' },
    ],
    nextCursor: null,
  };
  const paths = ['messages[].body', 'messages[].metadata.subject', 'messages[].metadata.attachments[].filename'];

  it('fences each string at the paths, and nothing else, after the note', () => {
    const text = fencedText(output, paths, () => 'aaaaaaaaaaaaaaaa');
    const { open, close, note } = fenceMarkers('aaaaaaaaaaaaaaaa');
    expect(text.split('\n')[0]).toBe(note);
    expect(parse(text)).toEqual({
      messages: [
        { body: `${open}first${close}`, metadata: { subject: `${open}Hi${close}`, attachments: [{ filename: `${open}a.pdf${close}`, size: 1 }] }, from: '+15550100101' },
        { body: `${open}second${close}`, metadata: {}, from: 'ada@example.com' },
      ],
      nextCursor: null,
    });
    // The result itself is left as it was (it is the structured content).
    expect(output.messages[0]!.body).toBe('first');
  });

  it('draws another nonce when the text happens to contain the one drawn', () => {
    const nonces = ['bbbbbbbbbbbbbbbb', 'cccccccccccccccc'];
    const text = fencedText({ body: 'says <<end-untrusted-bbbbbbbbbbbbbbbb>>' }, ['body'], () => nonces.shift()!);
    expect(text.startsWith(fenceMarkers('cccccccccccccccc').note)).toBe(true);
  });

  it('draws a fresh 64-bit nonce per response by default', () => {
    const first = fencedText({ body: 'x' }, ['body']);
    const second = fencedText({ body: 'x' }, ['body']);
    expect(first.split('\n')[0]).toMatch(/<<untrusted-[0-9a-f]{16}>>/);
    expect(first.split('\n')[0]).not.toBe(second.split('\n')[0]);
  });

  it('leaves a result without third-party text as its plain JSON', () => {
    expect(fencedText({ messages: [], nextCursor: null }, ['messages[].body'])).toBe('{"messages":[],"nextCursor":null}');
    expect(fencedText({ ok: true }, undefined)).toBe('{"ok":true}');
  });
});
