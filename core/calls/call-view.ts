import type { CallLogRecord, CallTurnRecord } from '../../ports/records.js';
import { usageEstimateSchema } from '../usage/usage-estimate-schema.js';

export interface CallView {
  callId: string;
  agentId: string;
  direction: string;
  from: string;
  to: string;
  status: string;
  history: Array<{ status: string; at: string }>;
  providerCallId: string | null;
  audioUrl: string | null;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  durationSeconds: number | null;
  /** Price as a decimal string in `currency` (from integer micro-units), when the provider reported it. */
  price: string | null;
  currency: string | null;
  errorCode: string | null;
  metadata: Record<string, unknown>;
  /** Live conversations: the turns, as heard. Empty for voice messages. */
  transcript: Array<{ seq: number; speaker: string; text: string; interrupted: boolean; at: string }>;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** Micro-units to a decimal string without floating-point rounding: -12345 → "-0.012345". */
export function microsToDecimal(micros: number): string {
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  return `${sign}${Math.floor(abs / 1_000_000)}.${String(abs % 1_000_000).padStart(6, '0')}`;
}

export function toCallView(c: CallLogRecord, turns: readonly CallTurnRecord[] = []): CallView {
  return {
    callId: c.id,
    agentId: c.agentId,
    direction: c.direction,
    from: c.from,
    to: c.to,
    status: c.status,
    history: c.history,
    providerCallId: c.providerCallId,
    audioUrl: c.audioUrl,
    startedAt: c.startedAt.toISOString(),
    answeredAt: iso(c.answeredAt),
    endedAt: iso(c.endedAt),
    durationSeconds: c.durationSeconds,
    price: c.priceMicros === null ? null : microsToDecimal(c.priceMicros),
    currency: c.currency,
    errorCode: c.errorCode,
    metadata: c.metadata,
    transcript: turns.map((t) => ({ seq: t.seq, speaker: t.speaker, text: t.text, interrupted: t.interrupted, at: t.createdAt.toISOString() })),
  };
}

const nullable = (type: string) => ({ type: [type, 'null'] });

export const callViewSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['callId', 'agentId', 'direction', 'from', 'to', 'status', 'history', 'providerCallId', 'audioUrl', 'startedAt', 'answeredAt', 'endedAt', 'durationSeconds', 'price', 'currency', 'errorCode', 'metadata', 'transcript'],
  properties: {
    callId: { type: 'string' },
    agentId: { type: 'string' },
    direction: { type: 'string', enum: ['outbound', 'inbound'] },
    from: { type: 'string' },
    to: { type: 'string' },
    status: { type: 'string' },
    history: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['status', 'at'], properties: { status: { type: 'string' }, at: { type: 'string' } } },
    },
    providerCallId: nullable('string'),
    audioUrl: nullable('string'),
    startedAt: { type: 'string' },
    answeredAt: nullable('string'),
    endedAt: nullable('string'),
    durationSeconds: nullable('integer'),
    price: nullable('string'),
    currency: nullable('string'),
    errorCode: nullable('string'),
    metadata: { type: 'object' },
    transcript: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['seq', 'speaker', 'text', 'interrupted', 'at'],
        properties: { seq: { type: 'integer' }, speaker: { type: 'string', enum: ['caller', 'agent'] }, text: { type: 'string' }, interrupted: { type: 'boolean' }, at: { type: 'string' } },
      },
    },
  },
} as const;

/** A call just placed: the call, and the units and estimated price it reserved. */
export const placedCallSchema = {
  ...callViewSchema,
  required: [...callViewSchema.required, 'usage'],
  properties: { ...callViewSchema.properties, usage: usageEstimateSchema },
} as const;
