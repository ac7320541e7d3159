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
  /** The body exactly as received (signatures cover raw bytes). */
  rawBody: string;
  /** Form fields (`application/x-www-form-urlencoded`); repeated keys become arrays. */
  params: Readonly<Record<string, string | string[]>>;
}

/** What the HTTP host answers the provider after a webhook was handled. */
export interface WebhookReply {
  contentType: string;
  body: string;
}
