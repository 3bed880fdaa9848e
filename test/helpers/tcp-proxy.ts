import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of the database, for fault tests: `cut()` drops every connection
 * and refuses new ones (the database is unreachable), `blackhole()` accepts connections
 * but forwards nothing (the database hangs), `restore()` forwards again on the same port.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private forwarding = true;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    this.forwarding = true;
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
    const address = this.server.address();
    if (address !== null && typeof address === 'object') this.port = address.port;
  }

  private accept(client: Socket): void {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => client.destroy());
    if (!this.forwarding) return; // blackhole: hold the connection, answer nothing
    const upstream = connect(this.targetPort, this.targetHost);
    this.sockets.add(upstream);
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private dropAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  /** Unreachable: every connection dropped, new ones refused. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.dropAll();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Hung: connections are accepted (and old ones kept) but nothing gets through. */
  blackhole(): void {
    this.forwarding = false;
    for (const socket of this.sockets) {
      socket.unpipe();
      socket.pause();
    }
  }

  /** Reachable again, on the same port. */
  async restore(): Promise<void> {
    await this.cut();
    await this.start();
  }

  async stop(): Promise<void> {
    await this.cut();
  }
}
