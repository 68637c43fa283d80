import { createServer, type IncomingMessage, type Server } from "node:http";

/** The receiver on a plain node:http server, as a Node app would mount it; it can be stopped and started again. */
export class Receiver {
  requests = 0;
  readonly statuses = new Map<number, number>();
  private server: Server | null = null;

  constructor(
    readonly port: number,
    private readonly handle: (request: Request) => Promise<Response>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/api/herenow/events`;
  }

  listen(): Promise<void> {
    const server = createServer(async (req, res) => {
      this.requests++;
      const response = await this.handle(await toRequest(req));
      this.statuses.set(response.status, (this.statuses.get(response.status) ?? 0) + 1);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    });
    this.server = server;
    return new Promise((resolve) => server.listen(this.port, "127.0.0.1", resolve));
  }

  /** Stops listening: the party's requests now fail with "connection refused". */
  close(): Promise<void> {
    const server = this.server;
    this.server = null;
    return new Promise((resolve) => {
      if (!server) return resolve();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  }
}

/** A node:http request as a web-standard Request. */
async function toRequest(req: IncomingMessage): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, item);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(`http://${req.headers.host ?? "127.0.0.1"}${req.url ?? "/"}`, {
    method: req.method ?? "GET",
    headers,
    ...(hasBody ? { body: Buffer.concat(chunks) } : {}),
  });
}
