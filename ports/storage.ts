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
  close?(): Promise<void>;
}
