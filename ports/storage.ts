export interface StoredObject {
  key: string;
  size: number;
  contentType: string;
}

/**
 * The `storage` port: bytes by key, and URLs a provider can fetch them from. Keys are relative paths
 * of safe segments (`audio/2026/abc.mp3`); anything with `..`, a leading `/` or a backslash is
 * refused with `INVALID_INPUT`.
 */
export interface StoragePort {
  put(key: string, bytes: Uint8Array, contentType: string): Promise<StoredObject>;
  /** null when there is no such object. */
  get(key: string): Promise<{ bytes: Uint8Array; contentType: string } | null>;
  delete(key: string): Promise<void>;
  /** An unguessable URL that stops working after `expiresInSeconds`. */
  signedUrl(key: string, expiresInSeconds: number): Promise<string>;
  /**
   * For adapters whose signed URLs point at this server (`local`): the object a signed URL names, or
   * null when the signature is expired, tampered or the object missing. The HTTP host serves
   * `GET /storage/<key>?expires=…&sig=…` with it.
   */
  openSigned?(key: string, query: { expires?: string; sig?: string }): Promise<{ bytes: Uint8Array; contentType: string } | null>;
  close?(): Promise<void>;
}
