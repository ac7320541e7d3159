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
