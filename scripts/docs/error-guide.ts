import type { ErrorCode } from '../../ports/errors.js';

/**
 * Cause and fix of every error code, for docs/TROUBLESHOOTING.md. A code added to ports/errors.ts without an
 * entry here fails the docs test: write what causes it and what the caller or operator should do.
 */
export const ERROR_GUIDE: Partial<Record<ErrorCode, { cause: string; fix: string }>> = {
  INVALID_INPUT: {
    cause: 'The input does not match the tool\'s or route\'s JSON Schema (a missing or unknown field, a wrong type, a value out of range), or the body is not JSON. `details.field` names the field.',
    fix: 'Fix the named field; the schemas are in docs/MCP-TOOLS.md and docs/API.md.',
  },
  BODY_TOO_LARGE: {
    cause: 'A request body over the route\'s limit: `server.bodyLimitBytes` for the API and MCP, the provider\'s own size (with margin) for its webhooks, or a webhook form with more fields than any provider sends. `details.limit` names the limit; the connection is closed after the answer.',
    fix: 'Send a smaller body (attach large files by `storageKey`). A provider webhook refused so is not one the provider sent: check where it came from.',
  },
  INVALID_PHONE_NUMBER: {
    cause: 'A number that cannot be a phone number of its country code (too short or long, no leading +, letters), or one the provider refused as a destination.',
    fix: 'Write it in international form: + and the country code (spaces, dashes, dots and brackets are fine), e.g. +1 555 010 0123.',
  },
  INVALID_EMAIL_ADDRESS: {
    cause: 'An address without local part, @ or domain, or with spaces or angle brackets.',
    fix: 'Use plain addresses such as name@example.com.',
  },
  UNKNOWN_VOICE: {
    cause: 'The text-to-speech provider does not know the voice asked for.',
    fix: 'Use a voice of the configured tts provider (see docs/PROVIDERS.md) or leave the voice out.',
  },
  TEMPLATE_REQUIRED: {
    cause: 'WhatsApp: the person has not written to the agent in the last 24 hours, so only an approved template may be sent.',
    fix: 'Send `templateId` (+ `templateVars`); free text is allowed again once the person replies. In demo mode, `agentos-comms demo inbound` makes them reply.',
  },
  INVALID_SIGNATURE: {
    cause: 'A provider webhook whose signature is missing, stale or wrong: the signing secret differs, or `publicBaseUrl` is not the URL the provider calls (Twilio signs the exact URL).',
    fix: 'Set the provider\'s signing secret in the config and PUBLIC_BASE_URL to the address the provider uses (the tunnel or domain); `agentos-comms doctor` checks the URL.',
  },
  UNAUTHORIZED: {
    cause: 'No bearer token, an unknown one, a rotated one, or the token of a disabled agent; or an OAuth access token that was refused (`details.reason`: issuer not configured, audience not this server, expired, signature, algorithm). Over stdio: COMMS_AGENT_TOKEN is not set or not found in the database the server opened (the message names it).',
    fix: 'Use the token printed by `agentos-comms agent create` (or `agent rotate-token`) against the same data folder (`COMMS_DATA_DIR`, `--config`); `agentos-comms connect` prints a working client set-up. With OAuth, get a new access token: the 401\'s `resource_metadata` names where.',
  },
  FORBIDDEN: {
    cause: 'An agent token asking for another agent\'s data, an admin tool called with an agent token, or an MCP session used with another token than the one that opened it.',
    fix: 'Act as your own agent (leave `agentId` out), or call admin tools with COMMS_ADMIN_TOKEN.',
  },
  OPERATOR_ONLY: {
    cause: 'A customer admin token calling a tool that only the operator may use: server-wide data or settings (keys, jobs, the WhatsApp pool, do-not-contact lists, contact export and erasure, audit verification, customers).',
    fix: 'Ask the operator to run it with COMMS_ADMIN_TOKEN; a customer admin manages its own agents, their usage, limits, audit entries and stored credentials (docs/TENANTS.md).',
  },
  INSUFFICIENT_SCOPE: {
    cause: 'An OAuth access token that is valid but lacks a scope listed in `auth.oauth.requiredScopes` (its `scope` or `scp` claim). Answered 403 with `WWW-Authenticate: Bearer error="insufficient_scope", scope="…"`; `details.required` names the scopes.',
    fix: 'Ask the authorization server for a token with the scopes named (MCP clients do so on their own from the challenge).',
  },
  TOKEN_NOT_MAPPED: {
    cause: 'An OAuth access token that is valid (a configured issuer, this server\'s audience, not expired, signature verified) but names no active agent: its agent claim (`auth.oauth.issuers[].agentClaim`, `sub` by default) is missing, or holds an id no agent of this server has, or that agent is disabled (`details.reason`).',
    fix: 'Have the authorization server put the agent\'s id (`agentos-comms agent list`) in the configured agent claim, or point `agentClaim` at the claim that holds it; re-enable a disabled agent.',
  },
  ORIGIN_NOT_ALLOWED: {
    cause: 'A request to /mcp with an `Origin` header that is not the server\'s own (publicBaseUrl, or localhost at the Host the request names) nor listed in `server.mcp.allowedOrigins`: a web page of another site, possibly by DNS rebinding, tried to reach the MCP endpoint.',
    fix: 'Clients that are not browsers send no Origin and are unaffected. To let a browser app on another origin call /mcp, add its exact origin (scheme://host[:port]) to `server.mcp.allowedOrigins`.',
  },
  NOT_FOUND: {
    cause: 'No such agent, message, call or route, or an expired MCP session or storage link.',
    fix: 'Check the id (`agentos-comms agent list`); start a new MCP session; see GET /openapi.json for the routes.',
  },
  CONFLICT: {
    cause: 'An address already belongs to another agent, or a record was changed by someone else at the same time.',
    fix: 'Choose another address or free it first (`agentos-comms agent update AGENT --phone none`); retry a concurrent change.',
  },
  IDEMPOTENCY_IN_PROGRESS: {
    cause: 'A request with the same idempotency key is still being sent.',
    fix: 'Retry in a moment with the same key to get its result.',
  },
  IDEMPOTENCY_KEY_REUSED: {
    cause: 'The idempotency key was already used for a different request.',
    fix: 'Use a new key for a new message; reuse a key only to retry the very same request.',
  },
  CHANNEL_NOT_CONFIGURED: {
    cause: 'The server has no provider for this channel (its config section is missing or `enabled: false`), the agent has no address on it, or a demo-only action on a channel with a real provider.',
    fix: 'Configure the channel (`agentos-comms config show` shows what is on), or give the agent an address (`agentos-comms agent update`).',
  },
  PROVISIONING_UNSUPPORTED: {
    cause: 'comms_provision_channels (or the channel status and repair tools) needs the telephony adapter to buy and configure numbers, or the email adapter to create sending domains, and the configured one cannot (vonage, sendgrid, smtp, a failover list).',
    fix: 'Use twilio for telephony and resend for email (mock in demo mode), or set the number or domain up in the provider\'s console and give the agent its address with comms_update_agent.',
  },
  NUMBER_UNAVAILABLE: {
    cause: 'The provider has no number for sale that matches the request: that country, area code and capabilities (SMS, voice).',
    fix: 'Retry without areaCode or with another one, in another country, or asking for fewer capabilities; the pool (provisioning.pool) keeps spares ready for the countries it names.',
  },
  WHATSAPP_POOL_EMPTY: {
    cause: 'comms_provision_channels was asked for a WhatsApp sender and every sender of the pool is already dedicated to an agent.',
    fix: 'Register another WhatsApp sender with the provider, add it with comms_add_whatsapp_sender, then retry with the same idempotencyKey (the steps already done are not repeated).',
  },
  SUBACCOUNTS_UNAVAILABLE: {
    cause: 'A customer in `subaccount` or `per-agent` isolation, but the configured telephony provider cannot create subaccounts (only Twilio\'s Accounts API is supported), or no telephony provider is configured.',
    fix: 'Configure `telephony: twilio` with the main account\'s credentials (not a subaccount\'s, not an API key restricted from Accounts), or create the customer with `isolation: shared`.',
  },
  SHARED_NUMBER_UNROUTED: {
    cause: 'An inbound message to a shared number from a contact that none of the number\'s agents has talked with, and the number has no default agent. The message is refused and the refusal recorded in the audit trail (`inbound.unrouted`).',
    fix: 'Name a default agent for the number (comms_set_shared_number `defaultAgentId`), or have one of its agents write to the contact first.',
  },
  SCENARIOS_NOT_ALLOWED: {
    cause: 'A demo scenario was asked to run on a server whose SMS, email or WhatsApp provider is a real one: it would send real messages and place real calls, which cost money.',
    fix: 'Run scenarios in demo mode (every channel on `use: mock`, the default config), or set `scenarios.allowRealProviders: true` if you accept the messages and the cost.',
  },
  SCENARIO_CHECK_FAILED: {
    cause: 'A demo scenario step (comms_run_scenario, `agentos-comms scenarios run`) saw something else than the scenario expects: an email without its attachment, free WhatsApp text accepted outside the 24-hour window, a call that did not complete, a transfer to another number. The step\'s detail says what.',
    fix: 'Read the failed step\'s detail and the server log; fix the configuration or the adapter it points to, then run the scenario again.',
  },
  REQUEST_ID_IN_FLIGHT: {
    cause: 'An MCP request reused the JSON-RPC id of a request of the same session that is still being answered (answered HTTP 409 with a JSON-RPC error, code -32600).',
    fix: 'Give every request in a session its own id (MCP SDK clients do); wait for the first answer before reusing an id.',
  },
  SESSION_LIMIT_REACHED: {
    cause: 'This token already has `server.mcp.maxSessionsPerPrincipal` MCP sessions open and every one has a request in flight, so none could be closed to make room.',
    fix: 'Reuse an open session (send its Mcp-Session-Id), close sessions you no longer need (HTTP DELETE /mcp with the session id), or raise `server.mcp.maxSessionsPerPrincipal`.',
  },
  SESSION_CLOSED: {
    cause: 'The MCP session was closed (DELETE /mcp, idle timeout, a newer session of the same token replacing it, server shutdown) while this request was in flight (JSON-RPC error code -32000). A send may still have completed.',
    fix: 'Open a new session and check with comms_get_messages; retry a send with the same idempotencyKey, which sends nothing twice.',
  },
  RESPONSE_TIMEOUT: {
    cause: 'An MCP request got no answer within `server.mcp.responseTimeoutMs` (JSON-RPC error code -32001); its late result is dropped. A send may still have completed.',
    fix: 'Check with comms_get_messages, or retry with the same idempotencyKey (a repeat sends nothing twice). If provider calls are slow, raise `server.mcp.responseTimeoutMs`.',
  },
  REQUEST_CANCELLED: {
    cause: 'The client cancelled a waiting request (comms_wait_for_message) or closed its connection before an answer came; the wait stopped and nothing is held for it.',
    fix: 'Nothing to fix: wait again when you need to, passing the last cursor as `after` so no message is missed.',
  },
  RATE_LIMITED: {
    cause: 'The provider asked to slow down, the agent reached its actions per minute, hour or day of one type (its tier\'s `actions` limits), or this client address sent more requests than `security.rateLimits` allows (`details.scope`: global, mcp, api, webhooks, admin).',
    fix: 'Wait (`details.retryAfterSeconds`, also the Retry-After header) and retry with the same idempotency key.',
  },
  AUTH_LOCKED_OUT: {
    cause: 'Too many bad tokens came from this client address (`security.lockout`): it is locked out, each lockout twice as long as the one before. Even a valid token from this address is refused meanwhile; from other addresses it works.',
    fix: 'Wait `details.retryAfterSeconds` (Retry-After), then use a valid token; check the client\'s configuration for a stale token (rotated with agentos-comms agent rotate-token).',
  },
  IP_NOT_ALLOWED: {
    cause: 'The client address is denied, or not in the allow list, of `security.ipFilters` for this group of routes (`details.group`: admin, metrics or webhooks). Behind a reverse proxy, the proxy must be in `security.trustedProxies` for the real client address to be seen.',
    fix: 'Call from an allowed address, or have the operator add yours (a CIDR range) to the allow list.',
  },
  SERVER_OVERLOADED: {
    cause: 'The server shed the request: its event loop lagged past `security.loadShedding.eventLoopDelayMs`, or `security.maxInFlight` requests were already being handled (`details.reason`). Nothing was done.',
    fix: 'Retry after `details.retryAfterSeconds` (Retry-After) with the same idempotency key; if it persists, the operator should add capacity.',
  },
  SPENDING_CAP_REACHED: {
    cause: 'The action\'s estimated price would pass the agent\'s daily or monthly spending cap (its tier\'s `spend`, or an override set with comms_set_agent_limits). Nothing was sent or stored as sent.',
    fix: 'Wait until `details.resetAt` (`retryAfterSeconds`), or ask the operator to raise the cap or move the agent to another tier (comms_set_agent_limits); comms_get_usage shows what is left.',
  },
  AGENT_SUSPENDED: {
    cause: 'The anomaly detector found this agent far from its usual behaviour (`details.finding`: send-volume, new-contacts, refusals, token-rotations) and `alerts.anomalies.suspend` is on: its sending is suspended. Nothing was sent.',
    fix: 'The operator reviews the alert, then resumes the agent with comms_resume_agent_sending (POST /api/v1/agents/{agentId}/resume).',
  },
  OPTED_OUT: {
    cause: 'The person opted out of this agent\'s number (an inbound STOP, Twilio error 21610) or, for marketing email, unsubscribed through the link; with `compliance.optOut.scope: operator`, of every agent. Nothing was sent.',
    fix: 'Do not contact them on this channel; they opt back in by writing START (SMS, WhatsApp). Reach them another way only if they agreed to it; comms_check_contact tells which channels are open.',
  },
  DO_NOT_CONTACT: {
    cause: 'The number is on the global or the agent\'s own do-not-contact list (comms_add_do_not_contact, comms_import_do_not_contact). Calls, SMS and WhatsApp to it are refused.',
    fix: 'Do not contact the number. An operator removes it with comms_remove_do_not_contact when it was listed by mistake.',
  },
  QUIET_HOURS: {
    cause: 'It is outside the allowed hours (08:00–21:00 by default) in the recipient\'s local time, taken from the number; a number that spans time zones must be inside the window in all of them.',
    fix: 'Send at or after `details.nextAllowedAt` (`nextAllowedLocal` in the recipient\'s zone), or reply within 24 hours of the person\'s own message. Operators change the window per country or agent (`compliance.quietHours`, comms_set_agent_compliance).',
  },
  CONSENT_REQUIRED: {
    cause: 'A marketing message or call (`purpose: marketing`) on a channel whose policy requires recorded consent, and no granted consent is recorded for this contact.',
    fix: 'Record the person\'s consent with comms_record_consent (source and evidence) before marketing to them, or send a transactional message if that is what it is.',
  },
  CONFIRMATION_REQUIRED: {
    cause: 'The tool needs a person\'s approval (it destroys data or costs money; `confirm.tools` in config, `details.tool`) and the call did not carry it: no `confirm`, or one that does not repeat the target (`details.field`) exactly. MCP clients with elicitation are asked instead; REST always needs the field.',
    fix: 'Ask the person; if they agree, call again with `confirm: true`, or with `confirm` set to the exact value of `details.field` (the number or address acted on). Operators change which tools ask with `confirm.tools`.',
  },
  CONFIRMATION_DECLINED: {
    cause: 'The person was asked through the MCP client (elicitation) and declined, dismissed the question or did not answer in time (`details.answer`). Nothing was done; the answer is in the audit trail (`confirmation.elicit`).',
    fix: 'Do not retry on your own: ask the person what they want instead.',
  },
  CONTENT_BLOCKED: {
    cause: 'The outbound text matched a content rule (threat, harassment, profanity or the operator\'s word list); `details.rule` names the rule, never the words.',
    fix: 'Rewrite the message without that content. Operators set `compliance.content.mode: flag` to send and log instead of blocking.',
  },
  CONTACT_LIMIT_REACHED: {
    cause: 'Too many calls or messages to one number or address in this UTC day (the tier\'s `perContact` limits).',
    fix: 'Wait until `details.resetAt`, or ask the operator to change the agent\'s per-contact limits.',
  },
  PROVIDER_REJECTED: {
    cause: 'The provider refused the request for a reason of its own (an unverified sender, a number the account does not own, content it refuses). `details.providerCode` is the provider\'s code.',
    fix: 'Look up the provider\'s code (e.g. Twilio error 21606); fix the sender or the content. Retrying the same request will not help.',
  },
  PROVIDER_AUTH_FAILED: {
    cause: 'The provider refused the credentials in the config (a wrong or revoked key, token or secret).',
    fix: 'Fix the credentials (`agentos-comms config show` names where each came from) and check them with `agentos-comms doctor`.',
  },
  PROVIDER_UNAVAILABLE: {
    cause: 'The provider could not be reached or answered 5xx; nothing was sent.',
    fix: 'Retry later with the same idempotency key; check the provider\'s status page and the network.',
  },
  PROVIDER_TIMEOUT: {
    cause: 'The provider did not answer in time, or dropped the connection after the request: the message may or may not have been sent.',
    fix: 'Retry with the same idempotency key (never without one: it could send twice), or check with comms_get_messages first.',
  },
  AUTHORIZATION_SERVER_UNAVAILABLE: {
    cause: 'An OAuth access token from a configured issuer could not be checked: the issuer\'s metadata or JWKS did not answer (down, unreachable, timed out, metadata naming another issuer). A failed discovery is retried after 30 s. `details.issuer` names it.',
    fix: 'Retry in a minute. Operator: check that the issuer URL (or `jwksUri`) in `auth.oauth.issuers` is reachable from the server and that its metadata\'s `issuer` is exactly the configured one.',
  },
  CONFIG_INVALID: {
    cause: 'At start-up: a config value fails the schema, a file is missing or not YAML, the port is already in use, or the listen address does not exist. Each problem is one line naming the key (and its environment variable).',
    fix: 'Fix the named key or variable; `agentos-comms config show` prints the effective config, `agentos-comms doctor` checks it. Port in use: PORT=3001 agentos-comms serve.',
  },
  CREDENTIALS_KEY_MISSING: {
    cause: 'Stored provider credentials were to be encrypted or read (`comms_register_provider`, a `credentialsRef` in the config, `agentos-comms keys rotate`) but the environment variable `COMMS_CREDENTIALS_KEY` is not set.',
    fix: 'Generate a key once with `openssl rand -base64 32` (or `node -e "console.log(require(\'node:crypto\').randomBytes(32).toString(\'base64\'))"`), set it as COMMS_CREDENTIALS_KEY wherever the server runs, and keep a copy in your secret manager: credentials stored under it cannot be read without it.',
  },
  CREDENTIALS_KEY_INVALID: {
    cause: '`COMMS_CREDENTIALS_KEY` (or `COMMS_CREDENTIALS_KEY_PREVIOUS`) is set but is not the base64 encoding of exactly 32 bytes (an AES-256 key). `details.variable` names it.',
    fix: 'Set it to the output of `openssl rand -base64 32`. If credentials were stored under the old value, keep that value and fix only the copy that is wrong.',
  },
  CREDENTIALS_KEY_UNKNOWN: {
    cause: 'A stored credential set was encrypted under a key that is neither `COMMS_CREDENTIALS_KEY` nor `COMMS_CREDENTIALS_KEY_PREVIOUS` (the key was changed without running `agentos-comms keys rotate`). `details.keyId` is the fingerprint of the key it needs.',
    fix: 'Set COMMS_CREDENTIALS_KEY_PREVIOUS to the key the credentials were stored under and run `agentos-comms keys rotate`; if that key is lost, remove the set with comms_remove_provider and register it again.',
  },
  CREDENTIALS_TAMPERED: {
    cause: 'A stored credential set failed its AES-256-GCM authentication: its ciphertext, IV or tag was changed, or it was copied from another row (each is bound to its own id and name).',
    fix: 'Treat it as an incident: find who could write the database. Then remove the set with comms_remove_provider and register the credentials again.',
  },
  PLUGIN_INVALID: {
    cause: 'An adapter named in `use:` cannot be found or loaded, is for another port or apiVersion, or its options are invalid or missing (a credential whose environment variable is unset is named).',
    fix: 'Use a built-in name (docs/PROVIDERS.md), a path relative to the config file or an installed package; set the named variables.',
  },
  SETUP_ANSWER_MISSING: {
    cause: '`agentos-comms setup --yes` needed an answer that no flag gave (runs with --yes never ask), or the answers piped to its standard input ran out. `details.flag` names the flag.',
    fix: 'Pass the named flag (`agentos-comms --help` lists them), or run `agentos-comms setup` in a terminal to be asked.',
  },
  PUBLIC_URL_UNREACHABLE: {
    cause: 'The server fetched `<public URL>/health` and did not get this server\'s answer: `details.reason` is `timeout`, `unreachable` (DNS, refused connection, TLS) or `not-this-server` (another status or body, a redirect).',
    fix: 'Start the tunnel or reverse proxy and point it at this server\'s port, check the address (https, no path), then check again. In demo mode no provider needs to reach the server: skip the check.',
  },
  INTERNAL: {
    cause: 'An unexpected failure inside the server; nothing about it is shown to the caller.',
    fix: 'Retry; if it persists, report it with the `requestId` of the answer (the server log has the details under that id).',
  },
};
