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

/**
 * The admin console's pages (/admin): scripts, styles and fonts only from this server's own files, API calls
 * only to this origin, images from files or data URLs (Swagger UI draws its icons with them). Still no
 * inline script or style, no third-party host, no framing.
 */
export function consoleContentSecurityPolicy(): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}
