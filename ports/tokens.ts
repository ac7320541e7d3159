/**
 * Dependency-injection tokens. This module is a leaf: it imports nothing, so a token can never be
 * `undefined` at runtime because of an import cycle through a barrel file.
 */
export const TOKENS = {
  Logger: Symbol.for('agentos.Logger'),
  Clock: Symbol.for('agentos.Clock'),
  Ids: Symbol.for('agentos.Ids'),
  Secrets: Symbol.for('agentos.Secrets'),
  Database: Symbol.for('agentos.Database'),
  Telephony: Symbol.for('agentos.Telephony'),
  Email: Symbol.for('agentos.Email'),
  WhatsApp: Symbol.for('agentos.WhatsApp'),
  Tts: Symbol.for('agentos.Tts'),
  Storage: Symbol.for('agentos.Storage'),
  Brain: Symbol.for('agentos.Brain'),
  Stt: Symbol.for('agentos.Stt'),
  CallbackSender: Symbol.for('agentos.CallbackSender'),
  PolicyRecorder: Symbol.for('agentos.PolicyRecorder'),
  PhoneLocations: Symbol.for('agentos.PhoneLocations'),
  ContentFilter: Symbol.for('agentos.ContentFilter'),
  PhoneNumbers: Symbol.for('agentos.PhoneNumbers'),
} as const;
