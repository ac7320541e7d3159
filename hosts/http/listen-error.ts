import { DomainError } from '../../ports/errors.js';

/** A failed listen() as one clear line: which address, and how to choose another. */
export function listenError(err: unknown, host: string, port: number): Error {
  const code = (err as { code?: string }).code;
  const change = 'Choose another with PORT=<port> (or server.port in a config file), or stop the process that holds it.';
  if (code === 'EADDRINUSE') {
    return new DomainError('CONFIG_INVALID', `port ${port} on ${host} is already in use.`, change, { host, port });
  }
  if (code === 'EACCES') {
    return new DomainError('CONFIG_INVALID', `not allowed to listen on port ${port} of ${host} (ports below 1024 need privileges).`, change, { host, port });
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new DomainError('CONFIG_INVALID', `cannot listen on ${host}: no such address on this machine.`, 'Set HOST (or server.host) to 127.0.0.1, 0.0.0.0 or an address of this machine.', { host, port });
  }
  return err as Error;
}
