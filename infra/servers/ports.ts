import { createServer } from 'node:net';

/** A port the OS says is free right now on `host`. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolvePort(port) : reject(new Error('could not get a free port'))));
    });
  });
}

/** `count` distinct free ports. */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort(host));
  return [...ports];
}

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly what: string,
    readonly envVar: string | undefined,
    host: string,
  ) {
    super(
      `Port ${port} (${what}) is already in use on ${host}. ` +
        (envVar
          ? `Stop whatever listens there or choose another port with ${envVar}=<port>.`
          : 'Stop whatever listens there or choose another port.'),
    );
    this.name = 'PortInUseError';
  }
}

async function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolveFree, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolveFree(false);
      else reject(err);
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolveFree(true)));
  });
}

/**
 * Throws a PortInUseError naming the port, what needs it and the environment variable that moves it.
 * `what` is e.g. 'Temporal gRPC'; `envVar` e.g. 'TEMPORAL_PORT'.
 */
export async function assertPortFree(port: number, what: string, envVar?: string, host = '127.0.0.1'): Promise<void> {
  if (!(await canListen(port, host))) throw new PortInUseError(port, what, envVar, host);
}
