import SwaggerUI from 'swagger-ui-dist/swagger-ui-es-bundle.js';
import 'swagger-ui-dist/swagger-ui.css';
import { inDemoMode, session } from './api.js';
import './style.css';

/**
 * The API explorer: this server's OpenAPI document in Swagger UI, bundled here (no CDN, no inline script).
 * "Try it out" sends the console's token; requests go to this origin whatever public URL the document names.
 */
async function start(): Promise<void> {
  const spec = (await (await fetch('/openapi.json')).json()) as Record<string, unknown>;
  spec.servers = [{ url: location.origin, description: 'This server' }];
  const token = session.token();
  (document.getElementById('login-hint') as HTMLElement).hidden = token !== null;
  (document.getElementById('demo-banner') as HTMLElement).hidden = !(await inDemoMode());
  SwaggerUI({
    spec,
    domNode: document.getElementById('swagger'),
    deepLinking: false,
    tryItOutEnabled: true,
    persistAuthorization: false,
    requestInterceptor: (req: { headers: Record<string, string> }) => {
      const current = session.token();
      if (current && !req.headers.Authorization) req.headers.Authorization = `Bearer ${current}`;
      return req;
    },
  });
}

void start();
