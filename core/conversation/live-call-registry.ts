import type { LiveConversation } from './live-conversation.js';

/** The conversations whose voice socket is open in this process, by our call id. */
export class LiveCallRegistry {
  private readonly calls = new Map<string, LiveConversation>();

  add(callId: string, conversation: LiveConversation): void {
    this.calls.set(callId, conversation);
  }

  get(callId: string): LiveConversation | undefined {
    return this.calls.get(callId);
  }

  remove(callId: string, conversation: LiveConversation): void {
    if (this.calls.get(callId) === conversation) this.calls.delete(callId);
  }

  get size(): number {
    return this.calls.size;
  }
}
