const XML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * Text made safe to sit inside SSML: markup characters escaped (the SSML is built around it verbatim, so
 * "<" would otherwise be read as a tag), and control characters, which the service refuses, turned into spaces.
 */
export function ssmlText(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ' ')
    .replace(/[&<>"']/g, (character) => XML_ESCAPES[character] ?? character);
}
