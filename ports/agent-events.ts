/**
 * What happened to an agent, for sessions waiting on it (MCP resource subscriptions, comms_wait_for_message).
 * An event only says that something changed and where to look: it carries ids, never bodies or addresses,
 * so it may cross process boundaries (a PostgreSQL NOTIFY payload) without carrying personal data.
 */
export const AGENT_EVENT_KINDS = ['message.received', 'message.failed', 'call.finished'] as const;
export type AgentEventKind = (typeof AGENT_EVENT_KINDS)[number];

export interface AgentEvent {
  agentId: string;
  kind: AgentEventKind;
  /** The message (`msg_…`) or call (`call_…`) the event is about. */
  id: string;
  /** When the change was recorded (ISO 8601). */
  at: string;
}

export type AgentEventListener = (event: AgentEvent) => void;

/**
 * Publish/subscribe of agent events. Core publishes after the change is stored; hosts subscribe per agent.
 * Delivery is best effort and at most once: a listener that must not miss anything re-reads the database
 * after each event (the event is a doorbell, the database the letterbox). An implementation spanning
 * processes (PostgreSQL LISTEN/NOTIFY) fits behind the same two methods.
 */
export interface AgentEvents {
  /** Never throws and never waits for listeners: the change is already stored when this is called. */
  publish(event: AgentEvent): void;
  /** Calls `listener` for every later event of `agentId`; returns the function that stops it. */
  subscribe(agentId: string, listener: AgentEventListener): () => void;
  /** Listeners currently subscribed (all agents, or one): for tests that check nothing leaks. */
  listenerCount(agentId?: string): number;
}
