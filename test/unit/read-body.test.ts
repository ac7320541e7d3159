import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isFormBody, readRawBytes } from '../../hosts/http/read-body.js';

/** A server handing each request's body (or the reading's failure) to `seen`, answering 204. */
function bodyServer(seen: (outcome: Buffer | Error) => void): Promise<Server> {
  const server = createServer((req: IncomingMessage, res) => {
    readRawBytes(req, 1024).then(seen, seen).finally(() => res.writeHead(204).end());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let server: Server | null = null;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

describe('readRawBytes with a declared size', () => {
  it('returns every byte of a body that arrives in several pieces', async () => {
    const outcomes: Array<Buffer | Error> = [];
    server = await bodyServer((outcome) => outcomes.push(outcome));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve, reject) => {
      const req = request({ port, method: 'POST', headers: { 'content-length': '11' } }, (res) => res.resume().on('end', resolve));
      req.on('error', reject);
      req.write('hello ');
      setTimeout(() => req.end('world'), 50);
    });
    expect(outcomes.map((o) => (o instanceof Error ? o.message : o.toString('utf8')))).toEqual(['hello world']);
  });

  it('fails when the client hangs up before the declared end, instead of waiting for ever', async () => {
    let settle!: (outcome: Buffer | Error) => void;
    const outcome = new Promise<Buffer | Error>((resolve) => (settle = resolve));
    server = await bodyServer((o) => settle(o));
    const { port } = server.address() as AddressInfo;
    const req = request({ port, method: 'POST', headers: { 'content-length': '100' } });
    req.on('error', () => {});
    req.write('only part of it');
    setTimeout(() => req.destroy(), 50);
    expect(await outcome).toBeInstanceOf(Error);
  });
});

describe('readRawBytes of a body already whole when read', () => {
  it('returns each body of requests one after another on a kept-alive connection, an empty one too', async () => {
    const bodies: string[] = [];
    // Read a turn later, as a webhook is (after its admission checks): the parser has the whole small body by then.
    server = createServer((req, res) => {
      setImmediate(() => {
        readRawBytes(req, 1024).then((body) => bodies.push(body.toString('utf8')), (err: Error) => bodies.push(`error ${err.message}`))
          .finally(() => res.writeHead(204).end());
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as AddressInfo;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    for (const body of ['From=%2B15550100190&Body=one', '', 'From=%2B15550100190&Body=two']) {
      await new Promise<void>((resolve, reject) => {
        const req = request({ port, method: 'POST', agent, headers: { 'content-length': String(Buffer.byteLength(body)) } }, (res) => res.resume().on('end', resolve));
        req.on('socket', (socket) => sockets.add(socket)).on('error', reject);
        req.end(body);
      });
    }
    agent.destroy();
    expect(bodies).toEqual(['From=%2B15550100190&Body=one', '', 'From=%2B15550100190&Body=two']);
    expect(sockets.size).toBe(1);
  });
});

describe('isFormBody', () => {
  it('knows a form by its media type, whatever the case, spacing and parameters', () => {
    for (const type of ['application/x-www-form-urlencoded', 'Application/X-WWW-Form-Urlencoded', ' application/x-www-form-urlencoded ; charset=utf-8', 'application/x-www-form-urlencoded;charset=UTF-8']) {
      expect(isFormBody(type), type).toBe(true);
    }
  });

  it('refuses every other media type, and none', () => {
    for (const type of [undefined, '', 'application/json', 'application/x-www-form-urlencoded-x', 'text/plain; x=application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      expect(isFormBody(type), String(type)).toBe(false);
    }
  });
});
