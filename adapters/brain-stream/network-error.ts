/**
 * The system error code (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET …) somewhere in an error's cause chain:
 * fetch and the SDKs wrap the socket error once or twice.
 */
export function networkErrorCode(err: unknown): string | null {
  let current: unknown = err;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}
