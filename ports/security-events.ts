/** A brute-force lockout that just started: the address and counts only, never the tokens tried. */
export interface AuthFailureBurst {
  ip: string;
  failures: number;
  windowSeconds: number;
  lockedForSeconds: number;
  /** 1 for the first lockout of this address within a day, 2 for the second … */
  lockoutNumber: number;
  at: Date;
}

/**
 * Security events the hosts detect. The composition root logs them and raises alerts; the audit trail
 * records them through this same hook (`authFailureBurst` is where an audit append belongs).
 */
export interface SecurityEventSink {
  authFailureBurst(burst: AuthFailureBurst): void;
}
