import { createAgent } from './agents/create-agent.js';
import { getMessages } from './messages/get-messages.js';
import { sendMessage } from './messages/send-message.js';
import type { UseCase } from './use-case.js';

/** Every use case the hosts serve, in the order tools are listed. */
export const USE_CASES: readonly UseCase[] = [
  sendMessage as UseCase,
  getMessages as UseCase,
  createAgent as UseCase,
];
