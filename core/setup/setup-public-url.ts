import { DomainError } from '../../ports/errors.js';
import { requireAdmin } from '../auth/authenticate.js';
import { defineUseCase } from '../use-case.js';
import { openSetup } from './setup-access.js';
import { setupPublicUrl } from './setup-status.js';

/** Long enough for a tunnel's round trip, short enough that a wizard never seems to hang. */
const PROBE_TIMEOUT_MS = 4000;

/**
 * The base URL to probe, or INVALID_INPUT: http(s) only, no user info, query or fragment (the probe adds
 * `/health` to it and nothing else), without its trailing slash.
 */
export function publicBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badUrl('is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badUrl('must start with http:// or https://');
  if (url.username || url.password) throw badUrl('must not hold a user name or password');
  if (url.search || url.hash) throw badUrl('must not hold a query or fragment');
  return url.href.replace(/\/+$/, '');
}

function badUrl(problem: string): DomainError {
  return new DomainError('INVALID_INPUT', `The public URL ${problem}.`, 'Give the address providers use to reach this server, e.g. https://comms.example.com.', { field: 'url' });
}

export const checkPublicUrl = defineUseCase<{ url?: string }, { url: string; reachable: true; status: number }>({
  name: 'comms_setup_check_public_url',
  title: 'Check the public URL',
  description:
    'Setup step, admin only: can this server reach itself through its public URL (the one given, else the one setup chose, else the ' +
    'configured one)? It fetches <url>/health once with a short timeout, follows no redirect, and remembers a URL that answered. ' +
    'PUBLIC_URL_UNREACHABLE says why not (timeout, unreachable, or something else answered).',
  input: {
    type: 'object',
    additionalProperties: false,
    properties: { url: { type: 'string', pattern: '^https?://', maxLength: 2000, description: 'The proposed public URL; default the configured one.' } },
  },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['url', 'reachable', 'status'],
    properties: { url: { type: 'string' }, reachable: { type: 'boolean', const: true }, status: { type: 'integer' } },
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  auth: 'admin',
  toolset: 'agents',
  rest: { method: 'POST', path: '/setup/public-url' },
  async run(ctx, input) {
    // Admin only: a server-side fetch to an address the caller names.
    requireAdmin(ctx);
    const record = await openSetup(ctx);
    const url = publicBaseUrl(input.url ?? setupPublicUrl(ctx, record));
    const result = await ctx.ports.setup.probe.health(url, PROBE_TIMEOUT_MS);
    if (!result.reached) {
      throw new DomainError('PUBLIC_URL_UNREACHABLE', `${url}/health: ${result.detail}`,
        result.reason === 'not-this-server'
          ? 'Point the URL (tunnel, proxy) at this server\'s port; something else answers there.'
          : 'Start the tunnel or proxy and check the address, then check again.',
        { url, reason: result.reason, status: result.status ?? null });
    }
    await ctx.ports.setup.store.write({
      choices: input.url ? { publicBaseUrl: url } : {},
      progress: { publicUrlChecked: { url, at: ctx.ports.clock.now().toISOString() } },
    });
    return { url, reachable: true, status: result.status };
  },
});
