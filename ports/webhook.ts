/** An inbound HTTP request from a provider, as adapters need it to verify and parse it. */
export interface WebhookRequest {
  /**
   * The full URL the provider called, rebuilt from `publicBaseUrl` + path and query: the URL the
   * provider signed, not the loopback address the server happens to listen on.
   */
  url: string;
  method: string;
  /** Lower-cased header names. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The body exactly as received, decoded as UTF-8 (signatures cover raw bytes). */
  rawBody: string;
  /**
   * The body's bytes, for bodies that are not UTF-8 text (multipart uploads with binary files). The HTTP host
   * always sets it; adapters that need it fall back to the UTF-8 bytes of `rawBody` when it is absent.
   */
  rawBytes?: Uint8Array;
  /** Form fields (`application/x-www-form-urlencoded`); repeated keys become arrays. */
  params: Readonly<Record<string, string | string[]>>;
  /**
   * The agent a per-agent URL names; null or absent on URLs shared by every agent. Adapters whose provider has a
   * signing secret per webhook endpoint (Resend) verify a per-agent URL's webhooks with that agent's secret.
   */
  agentId?: string | null;
  /** The id of the HTTP request that brought it, for the adapter's log lines about it. */
  requestId?: string;
}

/** What the HTTP host answers the provider after a webhook was handled. */
export interface WebhookReply {
  contentType: string;
  body: string;
}

/** A member of a composite adapter (a failover list), with the plugin id it was loaded as. */
export interface NamedAdapter<P> {
  id: string;
  port: P;
}

/** What is known of a webhook before its body is read: enough to refuse it without reading or parsing the body. */
export interface WebhookHead {
  url: string;
  method: string;
  /** Lower-cased header names. */
  headers: Readonly<Record<string, string | undefined>>;
}

/**
 * One kind of webhook a provider sends, as far as it shows before the body is read. The HTTP host refuses a webhook
 * that fits none of its adapter's kinds before reading its body, and reads no more than the kind's `maxBodyBytes`:
 * an unauthenticated body must not cost more than the provider's own ever could.
 */
export interface WebhookKind {
  /** Media type, lower case, without parameters (`application/x-www-form-urlencoded`, `application/json` …). */
  contentType: string;
  /**
   * Headers of which one carries the signature, so a request without any is refused unread; empty when the
   * signature travels in the body or URL (Vonage SMS API `sig`, SendGrid Inbound Parse's URL token).
   */
  signatureHeaders: readonly string[];
  /** The largest body the provider sends of this kind, with margin (from its documented limits). */
  maxBodyBytes: number;
}
