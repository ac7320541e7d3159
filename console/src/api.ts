/**
 * The console's only way to the server: the documented REST API (/api/v1) with the pasted token. The token
 * lives in sessionStorage (gone with the tab) and never in a URL.
 */
const TOKEN_KEY = 'agentos-comms.console.token';
/** A customer admin token (core/auth/authenticate.ts): the server confines it to its customer and refuses operator-only calls. */
const CUSTOMER_TOKEN_PREFIX = 'aocc_';

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  logIn: (token: string): void => sessionStorage.setItem(TOKEN_KEY, token),
  logOut: (): void => sessionStorage.removeItem(TOKEN_KEY),
  /** The console leaves out what only the operator may do, rather than let the server refuse it. */
  isCustomerAdmin: (): boolean => sessionStorage.getItem(TOKEN_KEY)?.startsWith(CUSTOMER_TOKEN_PREFIX) ?? false,
};

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly nextStep: string | null, readonly details: Record<string, unknown> = {}) {
    super(message);
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export async function api<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${session.token() ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string; nextStep?: string | null; details?: Record<string, unknown> } };
  if (!res.ok) throw new ApiError(res.status, json.error?.code ?? `HTTP_${res.status}`, json.error?.message ?? res.statusText, json.error?.nextStep ?? null, json.error?.details);
  return json as T;
}

/** Whether the server runs in demo mode: the demo-only operation is then in its OpenAPI document. */
export async function inDemoMode(): Promise<boolean> {
  const res = await fetch('/openapi.json');
  const doc = (await res.json()) as { paths: Record<string, Record<string, { operationId?: string }>> };
  return Object.values(doc.paths).some((ops) => Object.values(ops).some((op) => op.operationId === 'comms_demo_inbound'));
}

export function describeError(err: unknown): string {
  if (err instanceof ApiError) return `${err.code}: ${err.message}${err.nextStep ? ` ${err.nextStep}` : ''}`;
  return err instanceof Error ? err.message : String(err);
}
