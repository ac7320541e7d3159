/**
 * Optional capability of any adapter: proves that the provider accepts its credentials without sending
 * anything billable (an account or key lookup). `agentos-comms doctor` calls it where an adapter has it.
 */
export interface CredentialCheck {
  /** Resolves with a short description of what was checked (no secrets); throws a DomainError otherwise. */
  checkCredentials(): Promise<string>;
}

export function canCheckCredentials(port: unknown): port is CredentialCheck {
  return typeof (port as Partial<CredentialCheck> | null)?.checkCredentials === 'function';
}
