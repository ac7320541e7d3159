import type { SelfProbe, SelfProbeResult } from '../../ports/setup.js';

/** /health answers a few bytes; anything longer is not this server, and is not read further. */
const MAX_BODY_BYTES = 1024;

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8', 0, Math.min(size, MAX_BODY_BYTES));
}

function isOurHealth(text: string): boolean {
  try {
    return (JSON.parse(text) as { status?: unknown }).status === 'ok';
  } catch {
    return false;
  }
}

/**
 * Fetches `<baseUrl>/health` from this process (Node's fetch): GET only, no redirect followed (a redirect
 * counts as someone else answering), aborted after the timeout. The caller vetted the URL (http(s), admin).
 */
export class FetchSelfProbe implements SelfProbe {
  async health(baseUrl: string, timeoutMs: number): Promise<SelfProbeResult> {
    let res: Response;
    try {
      res = await fetch(`${baseUrl}/health`, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    } catch (err) {
      const error = err as Error & { cause?: { code?: string } };
      if (error.name === 'TimeoutError') return { reached: false, reason: 'timeout', detail: `no answer within ${timeoutMs} ms` };
      return { reached: false, reason: 'unreachable', detail: `cannot connect (${error.cause?.code ?? error.message})` };
    }
    const text = await readCapped(res).catch(() => '');
    if (res.status !== 200 || !isOurHealth(text)) {
      return { reached: false, reason: 'not-this-server', status: res.status, detail: `answered ${res.status}, not this server's health answer` };
    }
    return { reached: true, status: res.status };
  }
}
