// Preloaded (`node --import`) into the MCP conformance CLI. Its dns-rebinding-protection scenario sends no
// credentials, while /mcp answers 401 to any request without a token; this adds the test agent's bearer
// token to every request of the CLI (undici's global dispatcher), so the scenario checks what it is
// about: the Host/Origin headers.
import { Agent, setGlobalDispatcher } from 'undici';

const authorization = `Bearer ${process.env.CONFORMANCE_BEARER_TOKEN}`;

function withAuthorization(headers) {
  if (Array.isArray(headers)) return [...headers, 'authorization', authorization];
  return { ...headers, authorization };
}

setGlobalDispatcher(new Agent().compose((dispatch) => (options, handler) => dispatch({ ...options, headers: withAuthorization(options.headers) }, handler)));
