/**
 * @module test/integration/service/http-edge.test
 * The HTTP edge with a raw node:net client (docs/service-protocol.md "Transport"): a chunked
 * body over the limit gets a 413 in the protocol's shape, also while the client is still
 * sending; an unknown method (which Node's parser itself refuses) gets a JSON 405 with
 * `Allow: POST`; a malformed request gets a JSON 400 instead of an empty one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../../../src/service/service-runner.js';

const LIMIT = 1024;

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly json: Record<string, Record<string, unknown>>;
}

function parseResponse(raw: string): RawResponse {
  const split = raw.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = raw.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = raw.slice(split + 4, split + 4 + Number(headers['content-length']));
  return { status: Number((statusLine ?? '').split(' ')[1]), headers, json: JSON.parse(body) as RawResponse['json'] };
}

/** Sends `request` bytes and reads everything the server writes until it closes the connection. */
function exchange(port: number, request: string | Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let raw = '';
    socket.on('data', (d: Buffer) => (raw += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      try {
        resolve(parseResponse(raw));
      } catch (error) {
        reject(new Error(`unparsable response ${JSON.stringify(raw.slice(0, 300))}: ${String(error)}`));
      }
    });
    socket.end(request);
  });
}

const chunk = (data: string): string => `${Buffer.byteLength(data).toString(16)}\r\n${data}\r\n`;
const chunkedHead =
  'POST /.well-known/mmm/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';

describe('HTTP edge of the service', () => {
  let dir: string;
  let running: RunningService;
  let port: number;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mesh-http-edge-'));
    running = await startService({
      dataDirectory: dir,
      listen: { host: '127.0.0.1', port: 0 },
      maintenanceIntervalMs: 0,
      bodyLimits: { maxBodyBytes: LIMIT },
    });
    port = running.server.address.port;
  });
  afterAll(async () => {
    await running?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers a chunked body within the limit normally', async () => {
    const body = '{"ValidateRequest": {"Account": "alice@example.com"}}';
    const reply = await exchange(
      port,
      `${chunkedHead}${chunk(body.slice(0, 20))}${chunk(body.slice(20))}0\r\n\r\n`.replace(
        'HTTP/1.1\r\n',
        'HTTP/1.1\r\nConnection: close\r\n',
      ),
    );
    expect(reply.status).toBe(200);
    expect(reply.json['ValidateResponse']).toMatchObject({ Status: 201, Valid: true });
  });

  it('answers a chunked body over the limit with a 413 in the protocol shape', async () => {
    const pieces = Array.from({ length: 6 }, () => chunk(`"${'x'.repeat(254)}"`)).join('');
    const reply = await exchange(port, `${chunkedHead}${chunk('{"ValidateRequest": {"Account": ')}${pieces}0\r\n\r\n`);
    expect(reply.status).toBe(413);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.headers['connection']).toBe('close');
    expect(reply.json).toEqual({
      ErrorResponse: { Status: 413, StatusDescription: `request body is more than the limit of ${LIMIT} bytes` },
    });
  });

  it('sends the 413 while a chunked body is still streaming, without waiting for its end', async () => {
    const socket: Socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    let raw = '';
    let sent = 0;
    const answered = new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.on('data', (d: Buffer) => (raw += d.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(chunkedHead);
    let stop = false;
    void answered.then(() => (stop = true));
    // Keep streaming 256-byte chunks until the server answers (the positive signal).
    while (!stop && sent < 1024 * 1024) {
      socket.write(chunk('y'.repeat(256)));
      sent += 256;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(stop).toBe(true);
    expect(sent).toBeLessThan(64 * LIMIT);
    socket.end('0\r\n\r\n');
    await closed;
    const reply = parseResponse(raw);
    expect(reply.status).toBe(413);
    expect(reply.json['ErrorResponse']).toMatchObject({ Status: 413 });
  });

  it('answers an unknown method with a JSON 405 and Allow: POST; a known one too', async () => {
    for (const method of ['FOO', 'GET']) {
      const reply = await exchange(
        port,
        `${method} /.well-known/mmm/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
      );
      expect({ method, status: reply.status, allow: reply.headers['allow'] }).toEqual({
        method,
        status: 405,
        allow: 'POST',
      });
      expect(reply.json).toEqual({
        ErrorResponse: { Status: 405, StatusDescription: expect.stringContaining('POST only') },
      });
    }
  });

  it('answers a malformed request line or header with a JSON 400', async () => {
    for (const request of [
      'POST /.well-known/mmm/ HTTP/1.1\r\nHost: 127.0.0.1\r\nThis is not a header\r\n\r\n',
      'POST /.well-known/mmm/ HTTP/9.9 extra\r\n\r\n',
      'POST /.well-known/mmm/ HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello',
    ]) {
      const reply = await exchange(port, request);
      expect({ request, status: reply.status }).toEqual({ request, status: 400 });
      expect(reply.json).toEqual({
        ErrorResponse: { Status: 400, StatusDescription: expect.stringMatching(/^malformed HTTP request/) },
      });
    }
  });
});
