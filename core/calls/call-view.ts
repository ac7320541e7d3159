import type { CallLogRecord, CallTurnRecord, TurnLatency } from '../../ports/records.js';
import { usageEstimateSchema } from '../usage/usage-estimate-schema.js';
import { LATENCY_STAGES, summariseLatency, type LatencySummary } from '../conversation/turn-latency.js';

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
  /**
   * Live conversations: the turns, as heard. Empty for voice messages. An agent turn answering the caller
   * carries where the time went (milliseconds), for the stages this call's transport lets the server see.
   */
  transcript: Array<{ seq: number; speaker: string; text: string; interrupted: boolean; at: string; latency: TurnLatency | null }>;
  /** p50, p95 and max of each latency stage over the call's answered turns; null without any. */
  latency: LatencySummary | null;
  /** The call's recording, once stored: a signed link that expires, and its length. */
  recording: { url: string; durationSeconds: number | null } | null;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** Micro-units to a decimal string without floating-point rounding: -12345 → "-0.012345". */
export function microsToDecimal(micros: number): string {
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  return `${sign}${Math.floor(abs / 1_000_000)}.${String(abs % 1_000_000).padStart(6, '0')}`;
}

export function toCallView(c: CallLogRecord, turns: readonly CallTurnRecord[] = [], recording: CallView['recording'] = null): CallView {
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
    transcript: turns.map((t) => ({
      seq: t.seq, speaker: t.speaker, text: t.text, interrupted: t.interrupted, at: t.createdAt.toISOString(), latency: t.latency ?? null,
    })),
    latency: summariseLatency(turns),
    recording,
  };
}

/** Fields of a call view said by the other party, or by a brain answering them: the transcript. */
export const CALL_UNTRUSTED = ['transcript[].text'] as const;

const nullable = (type: string) => ({ type: [type, 'null'] });
const stageNames = LATENCY_STAGES.map((s) => s.stage);
const latencySchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  description: 'Milliseconds: sttMs (caller stopped speaking → final transcript), brainMs (→ first token), ttsMs (→ first audio), sendMs (→ first frame sent), totalMs (caller stopped speaking → first frame sent); null where not measured.',
  required: stageNames,
  properties: Object.fromEntries(stageNames.map((stage) => [stage, nullable('integer')])),
};
const stageSummarySchema = {
  type: 'object', additionalProperties: false, required: ['turns', 'p50Ms', 'p95Ms', 'maxMs'],
  properties: { turns: { type: 'integer' }, p50Ms: { type: 'integer' }, p95Ms: { type: 'integer' }, maxMs: { type: 'integer' } },
};

export const callViewSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['callId', 'agentId', 'direction', 'from', 'to', 'status', 'history', 'providerCallId', 'audioUrl', 'startedAt', 'answeredAt', 'endedAt', 'durationSeconds', 'price', 'currency', 'errorCode', 'metadata', 'transcript', 'latency', 'recording'],
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
        required: ['seq', 'speaker', 'text', 'interrupted', 'at', 'latency'],
        properties: {
          seq: { type: 'integer' }, speaker: { type: 'string', enum: ['caller', 'agent'] }, text: { type: 'string' }, interrupted: { type: 'boolean' }, at: { type: 'string' },
          latency: latencySchema,
        },
      },
    },
    recording: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['url', 'durationSeconds'],
      properties: { url: { type: 'string' }, durationSeconds: nullable('integer') },
    },
    latency: {
      type: ['object', 'null'],
      additionalProperties: false,
      description: 'Per stage (the transcript\'s latency names): p50, p95 and max over the call\'s answered turns, and how many were measured.',
      required: ['turns'],
      properties: { turns: { type: 'integer' }, ...Object.fromEntries(stageNames.map((stage) => [stage, stageSummarySchema])) },
    },
  },
} as const;

/** A call just placed: the call, and the units and estimated price it reserved. */
export const placedCallSchema = {
  ...callViewSchema,
  required: [...callViewSchema.required, 'usage'],
  properties: { ...callViewSchema.properties, usage: usageEstimateSchema },
} as const;
