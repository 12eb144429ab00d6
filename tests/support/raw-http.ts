import { connect } from 'node:net';

/** What came back over the socket: the status (undefined if none), headers and body. */
export interface RawAnswer {
  status?: number;
  headers: Record<string, string>;
  body: Buffer;
  /** True when the server neither answered nor closed within the time allowed. */
  timedOut: boolean;
}

/**
 * Sends bytes exactly as given over a fresh connection and reads until the server closes
 * it, so requests no HTTP client would send (odd methods, broken request lines, huge or
 * empty headers, bodies that lie about their length) reach the server as written.
 */
export function rawExchange(port: number, bytes: Buffer, timeoutMs = 15_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    const done = (timedOut: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...parseAnswer(Buffer.concat(chunks)), timedOut });
    };
    const timer = setTimeout(() => done(true), timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', () => done(false));
    // The server may answer and close before the whole body is written (a 413).
    socket.on('error', () => undefined);
    // Not half-closed after writing: Node's HTTP server takes a client's FIN as the end of
    // the exchange and would drop an answer still being prepared. Connection: close, or
    // the server's refusal, ends it instead.
    socket.write(bytes);
  });
}

export function parseAnswer(bytes: Buffer): Omit<RawAnswer, 'timedOut'> {
  const end = bytes.indexOf('\r\n\r\n');
  const head = bytes.subarray(0, end < 0 ? bytes.length : end).toString('latin1');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const status = Number(statusLine.match(/^HTTP\/1\.[01] (\d{3})/)?.[1]) || undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers, body: end < 0 ? Buffer.alloc(0) : bytes.subarray(end + 4) };
}

/** A request in HTTP/1.1's own framing, with Connection: close so the answer ends the read. */
export function httpRequest(
  method: string,
  target: string,
  headers: Array<[string, string]> = [],
  body?: Buffer | string,
): Buffer {
  const bytes = body === undefined ? undefined : Buffer.from(body);
  const lines = [
    `${method} ${target} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Connection: close',
    ...headers.map(([name, value]) => `${name}: ${value}`),
    ...(bytes && !headers.some(([name]) => /^(content-length|transfer-encoding)$/i.test(name))
      ? [`Content-Length: ${bytes.byteLength}`]
      : []),
  ];
  return Buffer.concat([
    Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8'),
    bytes ?? Buffer.alloc(0),
  ]);
}
