import { SETUP_CHANNELS, type SetupChannel, type SetupRecord } from '../../ports/setup.js';
import type { MessageStatus } from '../../ports/records.js';
import type { UseCaseContext } from '../context.js';
import { DEMO_PROVIDER } from '../demo/demo-inbound.js';
import { defineUseCase } from '../use-case.js';
import { openSetup } from './setup-access.js';

export const SETUP_STEPS = ['providers', 'publicUrl', 'database', 'firstAgent', 'number', 'defaults', 'testMessage'] as const;
export type SetupStep = (typeof SETUP_STEPS)[number];

export interface SetupStatus {
  /** Marked done (comms_setup_complete): the setup tools are then the admin's only. */
  done: boolean;
  completedAt: string | null;
  steps: Array<{ step: SetupStep; done: boolean; detail: string }>;
  channels: Array<{ channel: SetupChannel; provider: string | null; credentialsRef: string | null; demo: boolean }>;
  publicBaseUrl: string;
  firstAgentId: string | null;
  testMessage: { messageId: string; status: string; arrived: boolean } | null;
  /** The database in use (chosen in config, not by setup): its dialect and where it lives, no credentials. */
  database: { dialect: string; location: string | null };
  /** The default tier's spending caps and quiet hours: what setup chose, else what the server runs with. */
  defaults: SetupDefaults;
  /** What setup chose takes effect when the server starts again (it reads the overlay at start). */
  overlay: string;
}

export interface SetupDefaults {
  tier: string;
  currency: string;
  /** Decimal amounts in `currency`; null: no cap. */
  spendPerDay: string | null;
  spendPerMonth: string | null;
  quietHours: { enabled: boolean; start: string; end: string };
}

/** A test message has arrived once the provider says it was delivered (the demo adapter says so at once). */
const ARRIVED: ReadonlySet<MessageStatus> = new Set(['delivered', 'read']);

export const setupStatusSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['done', 'completedAt', 'steps', 'channels', 'publicBaseUrl', 'firstAgentId', 'testMessage', 'database', 'defaults', 'overlay'],
  properties: {
    done: { type: 'boolean' },
    completedAt: { type: ['string', 'null'] },
    steps: {
      type: 'array',
      items: {
        type: 'object', additionalProperties: false, required: ['step', 'done', 'detail'],
        properties: { step: { type: 'string', enum: [...SETUP_STEPS] }, done: { type: 'boolean' }, detail: { type: 'string' } },
      },
    },
    channels: {
      type: 'array',
      items: {
        type: 'object', additionalProperties: false, required: ['channel', 'provider', 'credentialsRef', 'demo'],
        properties: { channel: { type: 'string' }, provider: { type: ['string', 'null'] }, credentialsRef: { type: ['string', 'null'] }, demo: { type: 'boolean' } },
      },
    },
    publicBaseUrl: { type: 'string' },
    firstAgentId: { type: ['string', 'null'] },
    testMessage: {
      type: ['object', 'null'], additionalProperties: false, required: ['messageId', 'status', 'arrived'],
      properties: { messageId: { type: 'string' }, status: { type: 'string' }, arrived: { type: 'boolean' } },
    },
    database: {
      type: 'object', additionalProperties: false, required: ['dialect', 'location'],
      properties: { dialect: { type: 'string' }, location: { type: ['string', 'null'] } },
    },
    defaults: {
      type: 'object', additionalProperties: false, required: ['tier', 'currency', 'spendPerDay', 'spendPerMonth', 'quietHours'],
      properties: {
        tier: { type: 'string' },
        currency: { type: 'string' },
        spendPerDay: { type: ['string', 'null'] },
        spendPerMonth: { type: ['string', 'null'] },
        quietHours: {
          type: 'object', additionalProperties: false, required: ['enabled', 'start', 'end'],
          properties: { enabled: { type: 'boolean' }, start: { type: 'string' }, end: { type: 'string' } },
        },
      },
    },
    overlay: { type: 'string' },
  },
} as const;

/** The public URL setup works with: the one it chose, else the server's. */
export function setupPublicUrl(ctx: UseCaseContext, record: SetupRecord): string {
  return record.choices.publicBaseUrl ?? ctx.ports.settings.publicBaseUrl;
}

function channelsOf(ctx: UseCaseContext, record: SetupRecord): SetupStatus['channels'] {
  return SETUP_CHANNELS.map((channel) => {
    const chosen = record.choices.channels?.[channel];
    const provider = chosen?.provider ?? ctx.ports[channel]?.id ?? null;
    return { channel, provider, credentialsRef: chosen?.credentialsRef ?? null, demo: provider === DEMO_PROVIDER };
  });
}

/** The defaults in effect after the next start: setup's choices over the server's settings. */
function defaultsOf(ctx: UseCaseContext, record: SetupRecord): SetupDefaults {
  const { usage, compliance } = ctx.ports.settings;
  const chosenTier = record.choices.defaultTier;
  const spend = ((chosenTier?.limits as { spend?: { perDay?: string | null; perMonth?: string | null } } | undefined)?.spend) ?? usage.tiers[usage.defaultTier]?.spend ?? {};
  const quiet = record.choices.quietHours;
  return {
    tier: chosenTier?.name ?? usage.defaultTier,
    currency: usage.currency,
    spendPerDay: spend.perDay ?? null,
    spendPerMonth: spend.perMonth ?? null,
    quietHours: {
      enabled: quiet?.enabled ?? compliance.quietHours.enabled,
      start: quiet?.start ?? compliance.quietHours.window.start,
      end: quiet?.end ?? compliance.quietHours.window.end,
    },
  };
}

/** Where setup stands, step by step, from what it recorded and what the server runs with. */
export async function setupStatus(ctx: UseCaseContext, record: SetupRecord): Promise<SetupStatus> {
  const { db } = ctx.ports;
  const channels = channelsOf(ctx, record);
  const { progress, choices } = record;
  const publicBaseUrl = setupPublicUrl(ctx, record);
  const allDemo = channels.every((c) => c.provider === null || c.demo);
  const database = await db.ping().then(() => ({ ok: true, detail: `${db.location ?? db.dialect} answers` }), (err: Error) => ({ ok: false, detail: err.message }));
  const agent = progress.firstAgentId ? await db.agents.findById(progress.firstAgentId) : null;
  const phone = agent ? await db.agents.findChannel(agent.id, 'sms') : null;
  const message = progress.testMessageId ? await db.messages.findById(progress.testMessageId) : null;
  const testMessage = message ? { messageId: message.id, status: message.status, arrived: ARRIVED.has(message.status) } : null;
  const unchosen = channels.filter((c) => c.provider !== null && !choices.channels?.[c.channel] && c.demo).map((c) => c.channel);
  const checked = progress.publicUrlChecked?.url === publicBaseUrl;
  const steps: SetupStatus['steps'] = [
    { step: 'providers', done: unchosen.length === 0, detail: unchosen.length ? `still on the demo adapter without a choice: ${unchosen.join(', ')}` : channels.map((c) => `${c.channel}: ${c.provider ?? 'off'}`).join(', ') },
    { step: 'publicUrl', done: checked || allDemo, detail: checked ? `${publicBaseUrl} reached this server at ${progress.publicUrlChecked!.at}` : allDemo ? 'demo mode: no provider needs to reach this server' : `${publicBaseUrl} not checked yet` },
    { step: 'database', done: database.ok, detail: database.detail },
    { step: 'firstAgent', done: agent !== null, detail: agent ? `agent ${agent.id}` : 'no agent created by setup yet' },
    { step: 'number', done: phone !== null, detail: phone ? `sms from ${phone.address}` : 'the first agent has no number yet' },
    { step: 'defaults', done: choices.defaultTier !== undefined || choices.quietHours !== undefined, detail: choices.defaultTier ? `tier ${choices.defaultTier.name}` : 'limits and compliance settings not chosen yet' },
    { step: 'testMessage', done: testMessage?.arrived ?? false, detail: testMessage ? `test message ${testMessage.status}` : 'no test message sent yet' },
  ];
  return { done: progress.completedAt !== null, completedAt: progress.completedAt, steps, channels, publicBaseUrl, firstAgentId: agent?.id ?? null, testMessage,
    database: { dialect: db.dialect, location: db.location ?? null }, defaults: defaultsOf(ctx, record), overlay: record.location };
}

export const getSetupStatus = defineUseCase<Record<string, never>, SetupStatus>({
  name: 'comms_get_setup_status',
  title: 'Setup status',
  description:
    'Where the first-run setup stands: per step (provider credentials per channel, public URL, database, first agent, its number, ' +
    'default limits and compliance, test message) whether it is done. Admin token only.',
  input: { type: 'object', additionalProperties: false, properties: {} },
  output: setupStatusSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  auth: 'admin',
  toolset: 'agents',
  rest: { method: 'GET', path: '/setup' },
  async run(ctx) {
    return setupStatus(ctx, await openSetup(ctx));
  },
});
