import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { log } from '../../shared/log.ts';

/**
 * What every local HTTP server shares so that no request, however malformed, can take the
 * process (and with it every local service) down: one guard around the handler that
 * answers whatever it throws, and the parsing of addresses and bodies that throws a 4xx
 * for a client's mistake instead of a TypeError.
 */

/** A client's mistake, answered with its 4xx; anything else thrown is a 500. */
export class HttpRefusal extends Error {
  override name = 'HttpRefusal';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export type Answer = (
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string>,
) => void;

/**
 * The request listener every local server uses. The handler's promise, or its synchronous
 * throw, always ends here: a refusal is answered with its status, anything else is logged
 * and answered 500, and a response already under way is cut off. Nothing is left for
 * Node's unhandled-rejection handler, which would end the whole dev process.
 */
export function guarded(
  server: string,
  handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
  answer: Answer,
): RequestListener {
  const fail = (request: IncomingMessage, response: ServerResponse, error: unknown) => {
    const refusal = error instanceof HttpRefusal ? error : undefined;
    // A client that hangs up mid-request is no fault of ours, and there is no one to answer.
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const clientLeft = request.destroyed || request.socket.destroyed;
    if (clientLeft && (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE')) {
      log.warn(`local ${server}: the client left before its request was complete`, {
        method: request.method,
        path: request.url?.slice(0, 300),
      });
      response.destroy();
      return;
    }
    if (!refusal) {
      log.error(`local ${server}: the request failed`, {
        method: request.method,
        path: request.url?.slice(0, 300),
        error,
      });
    }
    if (response.headersSent || response.writableEnded || response.destroyed) {
      response.destroy();
      return;
    }
    answer(
      response,
      refusal?.status ?? 500,
      refusal?.code ?? 'internal',
      refusal?.message ?? `the local ${server} failed; see the dev log`,
      // A body still arriving is not read: close the connection rather than drain it.
      { ...refusal?.headers, ...(request.complete ? {} : { connection: 'close' }) },
    );
  };
  return (request, response) => {
    let handled: Promise<void>;
    try {
      handled = handle(request, response);
    } catch (error) {
      handled = Promise.reject(error);
    }
    handled
      .catch((error) => fail(request, response, error))
      .catch((error) => {
        log.error(`local ${server}: could not answer a failed request`, { error });
        response.destroy();
      });
  };
}

/**
 * The path and query of a request line. Origin-form (`/a/b?c`) and absolute-form
 * (`http://host/a`) are HTTP; anything else, or a percent-encoding that does not decode,
 * is a 400. `//`, `\` and dot segments are resolved as a browser resolves them.
 */
export function requestTarget(raw: string | undefined): {
  pathname: string;
  /** The query as sent, without its `?`. */
  search: string;
  query: URLSearchParams;
} {
  const target = raw ?? '';
  let url: URL | undefined;
  try {
    if (target.startsWith('/')) url = new URL(`http://local${target}`);
    else if (/^https?:\/\//i.test(target)) url = new URL(target);
  } catch {
    url = undefined;
  }
  if (!url) {
    throw new HttpRefusal(
      400,
      'bad_request',
      'the request line does not name a path such as /api/requests',
    );
  }
  try {
    decodeURIComponent(url.pathname);
  } catch {
    throw new HttpRefusal(
      400,
      'bad_request',
      'the path has a percent-encoding that is not UTF-8 (such as %E0%A4%A); encode it again',
    );
  }
  return { pathname: url.pathname, search: url.search.slice(1), query: url.searchParams };
}

/**
 * The path's segments, decoded, for servers that map a path onto files or keys. Empty
 * segments (`//`) are dropped; a segment that decodes to a separator, a dot segment, a
 * NUL or another control character could name something outside what is served, so it
 * is refused with a 400 rather than guessed at.
 */
export function pathSegments(pathname: string): string[] {
  return pathname
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      let decoded: string;
      try {
        decoded = decodeURIComponent(segment);
      } catch {
        throw new HttpRefusal(400, 'bad_request', 'the path has a broken percent-encoding');
      }
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
      if (decoded === '.' || decoded === '..' || /[/\\\u0000-\u001f\u007f]/.test(decoded)) {
        throw new HttpRefusal(
          400,
          'bad_request',
          `the path segment ${JSON.stringify(segment.slice(0, 100))} cannot name a file here`,
        );
      }
      return decoded;
    });
}

/**
 * The request body, up to `limit` bytes: a declared or actual size past it is a 413
 * before more is read. A client that stops sending is cut off by the server's
 * requestTimeout, which ends this read with an error rather than leaving it waiting.
 */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () =>
    new HttpRefusal(
      413,
      'too_large',
      `the body is larger than ${limit.toLocaleString('en-GB')} bytes, the most this accepts`,
    );
  if (Number(request.headers['content-length'] ?? 0) > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).byteLength;
    if (size > limit) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * How long a client may take, for the servers' options: its headers within 10 seconds
 * and the whole request within 30, ample on loopback; a client that stalls is then
 * answered 408 by Node and its socket freed.
 */
export const clientTimeouts = { requestTimeout: 30_000, headersTimeout: 10_000 } as const;

/**
 * Listens on 127.0.0.1. A failure to listen rejects; a server error after that (such as
 * running out of file descriptors) is logged, where with no listener it would end the
 * process. CONNECT (a request for a tunnel) never reaches the request listener, and Node
 * closes it unanswered unless someone listens: it is answered 405 here like any method
 * the server does not serve.
 */
export async function listen(server: Server, port: number, name: string): Promise<void> {
  // Bytes Node's parser refuses (an unknown method, a header too large, a broken line)
  // never reach the handler either: answer them in the same error shape, then close.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // As Node's own handler does: only a socket with no response already under way.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, reason, message] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'the request headers are too large']
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout', 'the request took too long to arrive']
          : [400, 'Bad Request', 'the request is not valid HTTP'];
    const body = JSON.stringify({
      error: { code: status === 400 ? 'bad_request' : 'refused', message },
    });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  server.on('connect', (_request, socket: Socket) => {
    socket.on('error', () => undefined);
    // Node hands the socket over unread: drop whatever else comes, so the client's close
    // is seen and the socket freed, and free it anyway if the client never closes.
    socket.resume();
    socket.setTimeout(clientTimeouts.headersTimeout, () => socket.destroy());
    socket.end(
      'HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => log.error(`local ${name}: server error`, { port, error }));
}
