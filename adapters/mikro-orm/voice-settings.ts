import type { AgentVoiceSettings } from '../../ports/records.js';
import { jsonObject } from './row-values.js';
import type { SqlCodec, SqlRow } from './sql-executor.js';

/**
 * The JSON type of every field of AgentVoiceSettings. Typed over all its keys, so a field added to the
 * port fails to compile here until it is checked too.
 */
const FIELD_TYPES: Record<keyof AgentVoiceSettings, 'string' | 'boolean'> = {
  greeting: 'string',
  instructions: 'string',
  voice: 'string',
  language: 'string',
  interruptible: 'boolean',
  transport: 'string',
  record: 'boolean',
  machineDetection: 'boolean',
  onMachine: 'string',
};

/**
 * Reads a voice-settings column. The known fields are checked, not cast; the object is returned whole,
 * so nothing the writer stored is dropped on the way back.
 */
export function voiceSettings(row: SqlRow, column: string, codec: SqlCodec): AgentVoiceSettings {
  const value = jsonObject(row, column, codec);
  for (const [field, type] of Object.entries(FIELD_TYPES)) {
    const fieldValue = value[field];
    if (fieldValue !== undefined && typeof fieldValue !== type) {
      throw new TypeError(`Column ${column} holds a ${field} that is not a ${type}.`);
    }
  }
  return value as AgentVoiceSettings;
}
