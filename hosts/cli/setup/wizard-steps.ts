import type { SetupStatus } from '../../../core/setup/setup-status.js';
import { DomainError, isDomainError } from '../../../ports/errors.js';
import type { SetupChannel } from '../../../ports/setup.js';
import type { App } from '../../composition/build-app.js';
import type { CliValues } from '../cli-options.js';
import type { Answers } from './answers.js';
import { parseCredentials, providersFor, requiredOptions } from './credential-fields.js';

const ADMIN = { kind: 'admin' } as const;
const DEMO = 'mock';
/** Where the demo test message goes by default: a reserved number nobody owns. */
const DEMO_RECIPIENT = '+15550100199';

export interface Wizard {
  app: App;
  values: CliValues;
  answers: Answers;
  /** Each attempt that fails may be answered again, interactively; `--yes` stops at the first failure. */
  interactive: boolean;
}

export function run<T>(app: App, tool: string, input: Record<string, unknown>): Promise<T> {
  return app.runner.run(tool, ADMIN, input) as Promise<T>;
}

const problem = (err: unknown): string => (isDomainError(err) ? `${err.code}: ${err.message}${err.nextStep ? ` ${err.nextStep}` : ''}` : (err as Error).message);

/** A wrong flag is given again on every attempt: after this many the failure is thrown, not asked again. */
const ATTEMPTS = 3;

/** Runs `attempt` until it succeeds; interactively a failure is shown and asked again, with --yes it is thrown. */
async function retrying<T>(w: Wizard, attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries += 1) {
    try {
      return await attempt();
    } catch (err) {
      if (!w.interactive || tries >= ATTEMPTS || !isDomainError(err) || err.code === 'SETUP_ANSWER_MISSING') throw err;
      w.answers.say(`  ${problem(err)}`);
    }
  }
}

/** A name for the stored credential set that is not taken yet: setup-<channel>, setup-<channel>-2 … */
async function freeName(app: App, channel: SetupChannel): Promise<string> {
  const { providers } = await run<{ providers: Array<{ name: string }> }>(app, 'comms_list_providers', {});
  const taken = new Set(providers.map((p) => p.name));
  let name = `setup-${channel}`;
  for (let i = 2; taken.has(name); i += 1) name = `setup-${channel}-${i}`;
  return name;
}

async function credentialsFor(w: Wizard, channel: SetupChannel, provider: string): Promise<Record<string, unknown>> {
  const flag = `--${channel}-credentials`;
  const given = w.values[`${channel}-credentials`];
  if (given !== undefined) return parseCredentials(flag, given);
  if (!w.interactive) throw new DomainError('SETUP_ANSWER_MISSING', `${provider} for ${channel} needs its credentials: pass ${flag}.`,
    `Run again with ${flag} '{"…":"…"}' or ${flag} @FILE (the adapter's options, docs/PROVIDERS.md).`, { flag });
  const credentials: Record<string, unknown> = {};
  for (const option of await requiredOptions(channel, provider)) {
    credentials[option.name] = await w.answers.ask({ flag, given: undefined, question: `  ${provider} ${option.name}`, required: true, secret: option.secret });
  }
  // Hidden too: extra options may carry a secret (an API key secret, a webhook signing secret).
  const more = await w.answers.ask({ flag, given: undefined, question: '  More options as JSON (e.g. {"baseUrl":"…"}; Enter for none, not shown while typed)', secret: true });
  return more ? { ...credentials, ...parseCredentials('the options', more) } : credentials;
}

/** Step 1: each channel's provider; credentials verified live and stored, or the demo adapter. */
export async function chooseProviders(w: Wizard, status: SetupStatus): Promise<void> {
  w.answers.say('\nProviders');
  for (const current of status.channels) {
    const { channel } = current;
    await retrying(w, async () => {
      const provider = await w.answers.ask({
        flag: `--${channel}-provider`, given: w.values[`${channel}-provider`],
        question: `${channel} provider (${providersFor(channel).join(', ')})`, fallback: current.provider ?? DEMO,
      });
      if (!provider) return;
      const keep = provider === current.provider && provider !== DEMO && w.values[`${channel}-credentials`] === undefined;
      if (keep) {
        w.answers.say(`  ${channel}: ${provider} kept (${current.credentialsRef ? `stored credentials "${current.credentialsRef}"` : 'from the config file'})`);
        return;
      }
      if (provider !== DEMO) await requiredOptions(channel, provider);
      const input = provider === DEMO
        ? { channel, provider }
        : { channel, provider, credentials: await credentialsFor(w, channel, provider), name: await freeName(w.app, channel) };
      const result = await run<{ verified: string | null; credentialsRef: string | null }>(w.app, 'comms_setup_provider', input);
      w.answers.say(result.verified ? `  ${channel}: ${provider} credentials accepted (${result.verified}), stored as "${result.credentialsRef}"` : `  ${channel}: demo adapter (nothing is delivered)`);
    });
  }
}

/** Step 2: the public URL (checked when real providers need it) and the default limits and compliance settings. */
export async function chooseSettings(w: Wizard, status: SetupStatus): Promise<void> {
  const realProviders = status.channels.some((c) => c.provider !== null && !c.demo);
  w.answers.say('\nPublic URL');
  if (!realProviders) {
    w.answers.say('  demo mode: no provider needs to reach this server (skipped)');
  } else {
    const url = await w.answers.ask({ flag: '--public-url', given: w.values['public-url'], question: 'Public URL providers reach this server at (https://…)', fallback: status.publicBaseUrl, required: true });
    await run(w.app, 'comms_setup_write_config', { publicBaseUrl: url });
    try {
      await run(w.app, 'comms_setup_check_public_url', { url });
      w.answers.say(`  ${url}/health answers: providers can reach this server`);
    } catch (err) {
      if (!isDomainError(err) || err.code !== 'PUBLIC_URL_UNREACHABLE') throw err;
      w.answers.say(`  not reachable yet (${err.message}). Webhooks need it: start \`agentos-comms serve\` behind it, then run \`agentos-comms doctor\`.`);
    }
  }
  w.answers.say('\nDefault limits and compliance');
  const { defaultTier, tiers, currency } = w.app.ports.settings.usage;
  const spend = tiers[defaultTier]?.spend ?? {};
  const amount = (value: string | undefined): string | null => (value === undefined || value === 'none' ? null : value);
  const perDay = await w.answers.ask({ flag: '--spend-per-day', given: w.values['spend-per-day'], question: `Spending cap per day in ${currency} (none for no cap)`, fallback: spend.perDay ?? 'none' });
  const perMonth = await w.answers.ask({ flag: '--spend-per-month', given: w.values['spend-per-month'], question: `Spending cap per month in ${currency} (none for no cap)`, fallback: spend.perMonth ?? 'none' });
  const quiet = await w.answers.ask({
    flag: '--quiet-hours', given: w.values['quiet-hours'], question: 'Quiet hours: no messages or calls outside 08:00–21:00 of the recipient (on/off)',
    fallback: w.app.ports.settings.compliance.quietHours.enabled ? 'on' : 'off',
  });
  if (quiet !== 'on' && quiet !== 'off') throw new DomainError('INVALID_INPUT', `--quiet-hours must be on or off, not "${quiet}".`, 'Answer on or off.', { flag: '--quiet-hours' });
  await run(w.app, 'comms_setup_write_config', { spendPerDay: amount(perDay), spendPerMonth: amount(perMonth), quietHours: { enabled: quiet === 'on' } });
  w.answers.say(`  tier ${defaultTier}: ${amount(perDay) ?? 'no cap'} a day, ${amount(perMonth) ?? 'no cap'} a month; quiet hours ${quiet}`);
}

/** Step 3: the first agent (its token, when created now) and its number. */
export async function chooseAgent(w: Wizard, status: SetupStatus): Promise<{ agentId: string; token: string | null }> {
  w.answers.say('\nFirst agent');
  let agent: { agentId: string; token: string | null };
  if (status.firstAgentId) {
    agent = { agentId: status.firstAgentId, token: null };
    w.answers.say(`  ${status.firstAgentId}, created by an earlier run (its token was shown then; a new one: agentos-comms agent rotate-token ${status.firstAgentId})`);
  } else {
    agent = await retrying(w, async () => {
      const name = await w.answers.ask({ flag: '--name', given: w.values.name, question: 'Agent name', fallback: 'My agent' });
      const email = await w.answers.ask({ flag: '--email', given: w.values.email, question: 'Its email address (Enter for none)' });
      const created = await run<{ agentId: string; token: string }>(w.app, 'comms_setup_create_agent', { name, ...(email ? { email } : {}) });
      w.answers.say(`  created ${created.agentId}`);
      return created;
    });
  }
  const hasNumber = status.steps.some((s) => s.step === 'number' && s.done);
  if (hasNumber && w.values.number === undefined && w.values.phone === undefined) {
    w.answers.say('  its number is kept');
    return agent;
  }
  await retrying(w, async () => {
    const demo = w.app.ports.telephony?.id === DEMO;
    const source = await w.answers.ask({ flag: '--number', given: w.values.number, question: 'Its number: demo, existing (one your account owns) or buy', fallback: demo ? 'demo' : 'existing' });
    const phone = source === 'existing' ? await w.answers.ask({ flag: '--phone', given: w.values.phone, question: 'The number (E.164, +1…)', required: true }) : undefined;
    const chosen = await run<{ phone: string; webhooksToSet: Array<{ what: string; url: string }> }>(w.app, 'comms_setup_choose_number', { source, ...(phone ? { phone } : {}) });
    w.answers.say(`  number ${chosen.phone}`);
    if (chosen.webhooksToSet.length > 0) {
      w.answers.say('  Set these in your provider\'s console for that number:');
      for (const hook of chosen.webhooksToSet) w.answers.say(`    ${hook.what.padEnd(26)} POST ${hook.url}`);
    }
  });
  return agent;
}

const FINAL = new Set(['delivered', 'read', 'undelivered', 'failed', 'canceled']);

/** Step 4: a test message, and whether the provider reported it delivered within a few seconds. */
export async function testMessage(w: Wizard, status: SetupStatus, waitMs = 8000): Promise<SetupStatus['testMessage']> {
  w.answers.say('\nTest message');
  const demo = w.app.ports.telephony?.id === DEMO;
  const to = await w.answers.ask({ flag: '--test-to', given: w.values['test-to'], question: 'Send a test SMS to (your number; none to skip)', fallback: demo ? DEMO_RECIPIENT : 'none' });
  if (!to || to === 'none') {
    w.answers.say('  skipped');
    return status.testMessage;
  }
  try {
    await run(w.app, 'comms_setup_send_test_message', { to });
  } catch (err) {
    w.answers.say(`  not sent: ${problem(err)}`);
    return null;
  }
  const deadline = Date.now() + waitMs;
  let latest = status.testMessage;
  while (Date.now() < deadline) {
    latest = (await run<SetupStatus>(w.app, 'comms_get_setup_status', {})).testMessage;
    if (latest && FINAL.has(latest.status)) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  w.answers.say(latest?.arrived ? '  arrived: the provider reports it delivered'
    : `  ${latest?.status ?? 'unknown'}: no delivery report yet (the provider reports to ${status.publicBaseUrl}/webhooks/sms/status; see comms_get_setup_status)`);
  return latest;
}
