import { bareNumber } from './simulated-account.js';
import type { SimulatedMessage } from './twilio-message-resource.js';

/** WhatsApp's customer-service window: free-form messages only within 24 h of the contact's last message. */
export const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;

/** A Content API template (`ContentSid` + `ContentVariables`) as an accepted message carried it. */
export interface ContentTemplate {
  contentSid: string;
  variables: Record<string, string>;
}

/**
 * What identifies one simulator here: its message list, the one object the TwilioSimulator and its Messages API
 * share. WhatsApp state lives beside the simulator rather than in it (the TwilioSimulator class has no WhatsApp
 * fields), so harnesses call `openWhatsAppWindow(sim, …)` with the simulator itself.
 */
export interface SimulatorHandle {
  readonly messages: readonly SimulatedMessage[];
}

export interface WhatsAppState {
  /** `sender>contact` (bare E.164) → when the contact last wrote to that business number. */
  readonly lastInbound: Map<string, Date>;
  /** The template of each accepted template message, by message SID. */
  readonly templates: Map<string, ContentTemplate>;
  /** SIDs of free-form messages accepted outside the window: they fail with 63016 and never reach the contact. */
  readonly outsideWindow: Set<string>;
  /** Failure reports still scheduled or being delivered. */
  readonly pending: Set<Promise<void>>;
  /** Bumped by `resetWhatsApp`, so that failures scheduled earlier stop quietly. */
  generation: number;
}

// A WeakMap, so a simulator that is dropped takes its WhatsApp state with it.
const states = new WeakMap<readonly SimulatedMessage[], WhatsAppState>();

export function whatsAppState(sim: SimulatorHandle): WhatsAppState {
  let state = states.get(sim.messages);
  if (!state) {
    state = { lastInbound: new Map(), templates: new Map(), outsideWindow: new Set(), pending: new Set(), generation: 0 };
    states.set(sim.messages, state);
  }
  return state;
}

function windowKey(contact: string, sender: string): string {
  return `${bareNumber(sender)}>${bareNumber(contact)}`;
}

/**
 * `contact` wrote to the business number `sender` at `at` (default: now by the wall clock; pass the simulator's
 * time when it runs on a fake clock). Twilio learns this from the inbound message itself; the simulator's inbound
 * builder lives in the TwilioSimulator class, so harnesses call this next to it. `whatsapp:` prefixes are ignored.
 */
export function openWhatsAppWindow(sim: SimulatorHandle, contact: string, sender: string, at: Date = new Date()): void {
  const state = whatsAppState(sim);
  const key = windowKey(contact, sender);
  const previous = state.lastInbound.get(key);
  // An older message delivered late must not shorten the window.
  if (!previous || previous < at) state.lastInbound.set(key, at);
}

export function isWhatsAppWindowOpen(sim: SimulatorHandle, contact: string, sender: string, now: Date): boolean {
  const last = whatsAppState(sim).lastInbound.get(windowKey(contact, sender));
  return last !== undefined && now.getTime() - last.getTime() < WHATSAPP_WINDOW_MS;
}

/** True for a message Twilio accepted but WhatsApp will refuse (63016): the contact never gets it. */
export function isRefusedOutsideWindow(sim: SimulatorHandle, messageSid: string): boolean {
  return whatsAppState(sim).outsideWindow.has(messageSid);
}

export function contentTemplateOf(sim: SimulatorHandle, messageSid: string): ContentTemplate | null {
  return whatsAppState(sim).templates.get(messageSid) ?? null;
}

/** Forgets windows and templates and abandons scheduled failures; call it next to `sim.reset()`. */
export function resetWhatsApp(sim: SimulatorHandle): void {
  const state = whatsAppState(sim);
  state.generation += 1;
  state.lastInbound.clear();
  state.templates.clear();
  state.outsideWindow.clear();
}

/** Resolves once every 63016 failure scheduled so far has been reported; call it next to `sim.settled()`. */
export async function whatsAppSettled(sim: SimulatorHandle): Promise<void> {
  const { pending } = whatsAppState(sim);
  while (pending.size > 0) await Promise.allSettled([...pending]);
}
