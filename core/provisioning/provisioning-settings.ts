/** `provisioning:` in config: where numbers are bought, the spare pool, and how long a run holds its operation. */
export interface ProvisioningSettings {
  /** Country of the numbers bought when a request names none (ISO 3166-1 alpha-2). */
  country: string;
  pool: {
    /** Spares kept per provider and country unless `sizes` says otherwise. */
    size: number;
    /** Sizes by `provider:country` (`twilio:US`), overriding `size`. */
    sizes: Record<string, number>;
    /** The countries whose pool the background job keeps full; none: spares only come from deprovisioned agents. */
    countries: string[];
  };
  /** How long a run holds its operation: a retry before then is IDEMPOTENCY_IN_PROGRESS, after it resumes the run. */
  leaseSeconds: number;
  /** A number left `buying` this long (its run died mid-buy) is settled by looking it up at the provider. */
  settleAfterSeconds: number;
}

export function poolSize(settings: ProvisioningSettings, provider: string, country: string): number {
  return settings.pool.sizes[`${provider}:${country}`] ?? settings.pool.size;
}
