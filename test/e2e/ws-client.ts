import WebSocket from 'ws';

/** A server frame: `{type, data}` JSON text. */
export interface Frame {
  type: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions narrow it
  data: any;
}

export interface ConnectOptions {
  /** The access token; sent as `?token=` unless `via` says otherwise. Omitted: none. */
  token?: string;
  via?: 'query' | 'header';
  /** Extra handshake headers (e.g. Accept-Language). */
  headers?: Record<string, string>;
  /** How long the handshake may take. */
  timeoutMs?: number;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

/** Default wait for a frame that should arrive (pushes are bounded by PUSH_TIMEOUT_MS). */
const FRAME_TIMEOUT_MS = 5000;

/** Every socket opened through this module, so a suite can close whatever is left. */
const openClients = new Set<WsClient>();

/**
 * A WebSocket client for the real-time API: connects with an access token, records every
 * frame it receives, and waits for frames by type. Every failure message lists what the
 * socket received.
 */
export class WsClient {
  /** Every frame received, in order (text that is not JSON is kept as `{type: '<text>'}`). */
  readonly frames: Frame[] = [];
  /** Set once the socket has closed. */
  closeInfo: CloseInfo | undefined;
  /** Resolves when the socket closes (from either side). */
  readonly closed: Promise<CloseInfo>;

  /** Frames not yet taken by next(). */
  private readonly unread: Frame[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly name: string,
    readonly socket: WebSocket,
  ) {
    socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      const text = isBinary ? '<binary frame>' : data.toString();
      let frame: Frame;
      try {
        const parsed: unknown = JSON.parse(text);
        frame =
          typeof parsed === 'object' && parsed !== null && 'type' in parsed
            ? (parsed as Frame)
            : { type: `<not a frame: ${text}>`, data: parsed };
      } catch {
        frame = { type: `<not JSON: ${text}>`, data: undefined };
      }
      this.frames.push(frame);
      this.unread.push(frame);
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      socket.once('close', (code: number, reason: Buffer) => {
        this.closeInfo = { code, reason: reason.toString() };
        openClients.delete(this);
        this.wake();
        resolve(this.closeInfo);
      });
    });
    // An error is always followed by 'close'; without a listener it would be thrown.
    socket.on('error', () => undefined);
  }

  /**
   * Opens a socket and waits for the handshake. Rejects with a HandshakeRefused (carrying
   * the HTTP status) when the server refuses it.
   */
  static async connect(url: string, name: string, options: ConnectOptions = {}): Promise<WsClient> {
    const { token, via = 'query', headers = {}, timeoutMs = 10_000 } = options;
    const target =
      token !== undefined && via === 'query' ? `${url}/?token=${encodeURIComponent(token)}` : url;
    const socket = new WebSocket(target, {
      headers: {
        ...headers,
        ...(token !== undefined && via === 'header' ? { authorization: `Bearer ${token}` } : {}),
      },
      handshakeTimeout: timeoutMs,
    });
    const client = new WsClient(name, socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => {
          socket.terminate();
          reject(new HandshakeRefused(name, response.statusCode ?? 0, body));
        });
        response.on('error', () => reject(new HandshakeRefused(name, response.statusCode ?? 0)));
      });
      socket.once('error', (error) => reject(new Error(`${name}: ${error.message}`)));
      socket.once('close', (code) => reject(new Error(`${name}: closed (${code}) while opening`)));
    });
    openClients.add(client);
    return client;
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Sends a frame: an object as JSON, a string as it is. */
  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /**
   * The first frame of `type` (that `match` accepts) not yet taken, waiting up to
   * `timeoutMs` for it; it is then taken, so the next call waits for another.
   */
  async next(
    type: string,
    timeoutMs = FRAME_TIMEOUT_MS,
    match: (frame: Frame) => boolean = () => true,
  ): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.unread.findIndex((frame) => frame.type === type && match(frame));
      if (index >= 0) return this.unread.splice(index, 1)[0] as Frame;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `${this.name}: no '${type}' frame within ${timeoutMs} ms\n${this.describe()}`,
        );
      }
      if (this.closeInfo) {
        throw new Error(
          `${this.name}: closed before a '${type}' frame arrived\n${this.describe()}`,
        );
      }
      await this.wait(left);
    }
  }

  /** Waits `ms` and fails if a frame of `type` arrived (or was already waiting, unread). */
  async expectNone(type: string, ms = 400): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    if (this.unread.some((frame) => frame.type === type)) {
      throw new Error(`${this.name}: got an unexpected '${type}' frame\n${this.describe()}`);
    }
  }

  /** Waits `ms` and fails if any frame arrived that next() has not taken. */
  async expectQuiet(ms = 400): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    if (this.unread.length > 0) {
      throw new Error(`${this.name}: got unexpected frames\n${this.describe()}`);
    }
  }

  /** Sends a ping and waits for its pong: the socket is open and served. */
  async roundTrip(timeoutMs = FRAME_TIMEOUT_MS): Promise<void> {
    this.send({ action: 'ping' });
    const pong = await this.next('pong', timeoutMs);
    if (JSON.stringify(pong.data) !== '{}') {
      throw new Error(`${this.name}: pong with data\n${this.describe()}`);
    }
  }

  /** Waits until the socket is closed by the server, failing after `timeoutMs`. */
  async waitForClose(timeoutMs = FRAME_TIMEOUT_MS): Promise<CloseInfo> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`${this.name}: still open after ${timeoutMs} ms\n${this.describe()}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the socket cleanly and waits for the close to complete. */
  async close(): Promise<CloseInfo> {
    if (!this.closeInfo) this.socket.close(1000);
    return this.closed;
  }

  /** Drops the TCP connection without a closing handshake (a vanished client). */
  terminate(): void {
    this.socket.terminate();
  }

  /** What this socket received, for failure messages. */
  describe(): string {
    const state = this.closeInfo
      ? `closed (${this.closeInfo.code}${this.closeInfo.reason ? ` ${this.closeInfo.reason}` : ''})`
      : 'open';
    const lines = this.frames.map((frame, index) => `  ${index + 1}. ${JSON.stringify(frame)}`);
    return `${this.name} (${state}) received ${this.frames.length} frame(s)${lines.length ? `:\n${lines.join('\n')}` : ''}`;
  }

  private wake(): void {
    for (const waiter of this.waiters) waiter();
    this.waiters.clear();
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const waiters = this.waiters;
      function done() {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      }
      waiters.add(done);
    });
  }
}

/** The server refused the handshake with an HTTP status. */
export class HandshakeRefused extends Error {
  constructor(
    name: string,
    readonly status: number,
    readonly body = '',
  ) {
    super(`${name}: handshake refused with HTTP ${status} ${body}`);
  }
}

/**
 * The HTTP status a handshake is refused with; fails if the handshake succeeds (the socket
 * is then closed).
 */
export async function refusedStatus(url: string, options: ConnectOptions = {}): Promise<number> {
  let client: WsClient;
  try {
    client = await WsClient.connect(url, 'refused?', options);
  } catch (error) {
    if (error instanceof HandshakeRefused) return error.status;
    throw error;
  }
  await client.close();
  throw new Error('the handshake was accepted');
}

/** Closes every socket this module opened that is still open (call it in afterAll/afterEach). */
export async function closeAllClients(): Promise<void> {
  await Promise.all(
    [...openClients].map(async (client) => {
      client.terminate();
      await client.closed;
    }),
  );
}
