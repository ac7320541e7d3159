import { createHash } from 'node:crypto';
import { UNSUBSCRIBE_PAGE_CSS } from '../../../core/compliance/unsubscribe.js';

/**
 * The Content-Security-Policy of every response: nothing loads but the unsubscribe pages' one stylesheet
 * (allowed by its hash, no inline script or style otherwise), forms post only back to this server, and no
 * page can be framed. JSON answers carry it too, so a file served from storage cannot run script either.
 */
export function contentSecurityPolicy(): Record<string, string[]> {
  const styleHash = createHash('sha256').update(UNSUBSCRIBE_PAGE_CSS).digest('base64');
  return {
    defaultSrc: ["'none'"],
    styleSrc: [`'sha256-${styleHash}'`],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
  };
}
