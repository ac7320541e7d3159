import SwaggerUI from 'swagger-ui-dist/swagger-ui-es-bundle.js';
import 'swagger-ui-dist/swagger-ui.css';
import './swagger-a11y.css';
import { inDemoMode, session } from './api.js';
import './style.css';

/**
 * The API explorer: this server's OpenAPI document in Swagger UI, bundled here (no CDN, no inline script).
 * "Try it out" sends the console's token; requests go to this origin whatever public URL the document names.
 */
/**
 * Swagger UI renders a few controls that assistive technology cannot name or reach (axe-core: select-name,
 * scrollable-region-focusable): each one is given a name or a tab stop as it appears.
 */
function patchAccessibility(root: HTMLElement): void {
  const patch = () => {
    for (const select of root.querySelectorAll<HTMLSelectElement>('select:not([aria-label])')) {
      const label = select.closest('label, .servers, .response-controls, .content-type-wrapper, .parameters-col_description')?.textContent?.trim();
      select.setAttribute('aria-label', label && label.length < 60 ? label : 'Choose a value');
    }
    for (const region of root.querySelectorAll<HTMLElement>('.microlight:not([tabindex]), .highlight-code > pre:not([tabindex])')) region.tabIndex = 0;
  };
  // Once per frame at most: Swagger UI renders thousands of nodes in bursts.
  let queued = false;
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      patch();
    });
  }).observe(root, { childList: true, subtree: true });
  patch();
}

async function start(): Promise<void> {
  const spec = (await (await fetch('/openapi.json')).json()) as Record<string, unknown>;
  spec.servers = [{ url: location.origin, description: 'This server' }];
  const token = session.token();
  (document.getElementById('login-hint') as HTMLElement).hidden = token !== null;
  (document.getElementById('demo-banner') as HTMLElement).hidden = !(await inDemoMode());
  const root = document.getElementById('swagger') as HTMLElement;
  patchAccessibility(root);
  SwaggerUI({
    spec,
    domNode: root,
    deepLinking: false,
    tryItOutEnabled: true,
    requestInterceptor: (req: { headers: Record<string, string> }) => {
      const current = session.token();
      if (current && !req.headers.Authorization) req.headers.Authorization = `Bearer ${current}`;
      return req;
    },
  });
}

void start();
