import { performance } from 'node:perf_hooks';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

export interface InboxWatch {
  /** `notifications/resources/updated` received so far: the URI and when (performance.now()). */
  updates: Array<{ uri: string; at: number }>;
  /** The first update after `since` (performance.now()), waiting up to `timeoutMs`. */
  next(since: number, timeoutMs?: number): Promise<{ uri: string; at: number }>;
}

/** Records the resource updates a client is told about. */
export function watchUpdates(client: Client): InboxWatch {
  const updates: InboxWatch['updates'] = [];
  const waiters = new Set<() => void>();
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
    updates.push({ uri: notification.params.uri, at: performance.now() });
    for (const wake of waiters) wake();
  });
  return {
    updates,
    next(since, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = updates.find((u) => u.at >= since);
          if (!found) return false;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(found);
          return true;
        };
        const wake = (): void => void check();
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`no resource update within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(wake);
        check();
      });
    },
  };
}

/** The JSON of a resource read (one text content). */
export async function readJson<T>(client: Client, uri: string): Promise<T> {
  const { contents } = await client.readResource({ uri });
  const first = contents[0];
  if (!first || !('text' in first)) throw new Error(`resource ${uri} has no text content`);
  return JSON.parse(first.text) as T;
}
