/** WhatsApp's customer care window: free-form messages are allowed for 24 hours after the contact's last message. */
export const CUSTOMER_WINDOW_MS = 24 * 60 * 60 * 1000;

/** When each contact last wrote to each business number (both as digits). */
export class CustomerWindows {
  private readonly lastInbound = new Map<string, number>();

  contactWrote(contact: string, business: string, at: Date): void {
    const key = `${contact}>${business}`;
    this.lastInbound.set(key, Math.max(this.lastInbound.get(key) ?? 0, at.getTime()));
  }

  isOpen(contact: string, business: string, now: Date): boolean {
    const last = this.lastInbound.get(`${contact}>${business}`);
    return last !== undefined && now.getTime() - last < CUSTOMER_WINDOW_MS;
  }

  clear(): void {
    this.lastInbound.clear();
  }
}
