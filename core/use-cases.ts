import { createAgent } from './agents/create-agent.js';
import { getCall } from './calls/get-call.js';
import { listCalls } from './calls/list-calls.js';
import { sendVoiceMessage } from './calls/send-voice-message.js';
import { endCall, transferCall } from './conversation/control-call.js';
import { makeCall } from './conversation/make-call.js';
import { getAgent } from './agents/get-agent.js';
import { listAgents } from './agents/list-agents.js';
import { getJobStatus } from './jobs/get-job-status.js';
import { rotateAgentToken } from './agents/rotate-agent-token.js';
import { resumeAgentSending } from './agents/resume-agent-sending.js';
import { updateAgent } from './agents/update-agent.js';
import { addWhatsAppSender, listWhatsAppSenders } from './agents/whatsapp-pool.js';
import { getMessages } from './messages/get-messages.js';
import { sendMessage } from './messages/send-message.js';
import { waitForMessage } from './messages/wait-for-message.js';
import { demoInbound } from './demo/demo-inbound.js';
import type { UseCase } from './use-case.js';
import { getUsage } from './usage/get-usage.js';
import { setAgentLimits } from './usage/set-agent-limits.js';
import { getUsageDashboard } from './usage/usage-dashboard.js';
import { checkContact } from './compliance/check-contact.js';
import { getConsent, recordConsent } from './compliance/consent-tools.js';
import { addDoNotContact, checkDoNotContact, importDoNotContact, removeDoNotContact } from './compliance/do-not-contact-tools.js';
import { eraseContact } from './compliance/erase-contact.js';
import { exportContact } from './compliance/export-contact.js';
import { setAgentCompliance } from './compliance/set-agent-compliance.js';
import { listAuditLog, verifyAuditLog } from './audit/audit-tools.js';
import { listProviders, registerProvider, removeProvider } from './providers/provider-tools.js';
import { provisionChannels } from './provisioning/provision-channels.js';
import { deprovisionChannels } from './provisioning/deprovision-channels.js';
import { getChannelStatus, repairChannels } from './provisioning/channel-status-tools.js';
import { getThread, listThreads, markThreadRead } from './contacts/thread-tools.js';
import { mergeContacts, updateContact } from './contacts/contact-tools.js';
import { getConsoleOverview } from './console/console-overview.js';
import { reveal } from './console/reveal.js';
import { getSetupStatus } from './setup/setup-status.js';
import { setupProvider } from './setup/setup-provider.js';
import { listSetupProviders } from './setup/setup-provider-choices.js';
import { checkPublicUrl } from './setup/setup-public-url.js';
import { writeSetupConfig } from './setup/setup-defaults.js';
import { chooseNumber, createFirstAgent } from './setup/setup-agent.js';
import { completeSetup, sendTestMessage } from './setup/setup-test-message.js';
import { closeCustomer, createCustomer, getCustomer, listCustomers, rotateCustomerToken } from './customers/customer-tools.js';
import { setSharedNumber } from './customers/shared-number-tools.js';
import { listScenarios, runScenario } from './scenarios/scenario-tools.js';

/** Every use case the hosts serve, in the order tools are listed. */
export const USE_CASES: readonly UseCase[] = [
  sendMessage as UseCase,
  getMessages as UseCase,
  waitForMessage as UseCase,
  listThreads as UseCase,
  getThread as UseCase,
  markThreadRead as UseCase,
  updateContact as UseCase,
  mergeContacts as UseCase,
  sendVoiceMessage as UseCase,
  getCall as UseCase,
  listCalls as UseCase,
  makeCall as UseCase,
  transferCall as UseCase,
  endCall as UseCase,
  getAgent as UseCase,
  createAgent as UseCase,
  updateAgent as UseCase,
  listAgents as UseCase,
  getJobStatus as UseCase,
  rotateAgentToken as UseCase,
  resumeAgentSending as UseCase,
  addWhatsAppSender as UseCase,
  listWhatsAppSenders as UseCase,
  getUsage as UseCase,
  setAgentLimits as UseCase,
  getUsageDashboard as UseCase,
  checkContact as UseCase,
  recordConsent as UseCase,
  getConsent as UseCase,
  addDoNotContact as UseCase,
  removeDoNotContact as UseCase,
  importDoNotContact as UseCase,
  checkDoNotContact as UseCase,
  setAgentCompliance as UseCase,
  exportContact as UseCase,
  eraseContact as UseCase,
  listAuditLog as UseCase,
  verifyAuditLog as UseCase,
  getConsoleOverview as UseCase,
  reveal as UseCase,
  registerProvider as UseCase,
  listProviders as UseCase,
  removeProvider as UseCase,
  provisionChannels as UseCase,
  deprovisionChannels as UseCase,
  getChannelStatus as UseCase,
  repairChannels as UseCase,
  getSetupStatus as UseCase,
  listSetupProviders as UseCase,
  setupProvider as UseCase,
  checkPublicUrl as UseCase,
  writeSetupConfig as UseCase,
  createFirstAgent as UseCase,
  chooseNumber as UseCase,
  sendTestMessage as UseCase,
  completeSetup as UseCase,
  createCustomer as UseCase,
  listCustomers as UseCase,
  getCustomer as UseCase,
  rotateCustomerToken as UseCase,
  closeCustomer as UseCase,
  setSharedNumber as UseCase,
  listScenarios as UseCase,
  runScenario as UseCase,
];

/** Offered only in demo mode (see core/demo/demo-inbound.ts `inDemoMode`), after the others. */
export const DEMO_USE_CASES: readonly UseCase[] = [demoInbound as UseCase];
