/** What other use cases may do to a live conversation (implemented by LiveConversation). */
export interface LiveCallHandle {
  transfer(to: string): void;
  hangUp(): void;
}

/** The conversations whose voice socket is open in this process, by our call id. */
export class LiveCallRegistry {
  private readonly calls = new Map<string, LiveCallHandle>();

  add(callId: string, conversation: LiveCallHandle): void {
    this.calls.set(callId, conversation);
  }

  get(callId: string): LiveCallHandle | undefined {
    return this.calls.get(callId);
  }

  remove(callId: string, conversation: LiveCallHandle): void {
    if (this.calls.get(callId) === conversation) this.calls.delete(callId);
  }

  get size(): number {
    return this.calls.size;
  }
}
