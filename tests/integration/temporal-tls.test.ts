import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { temporalConnectionOptions } from '../../infra/temporal-connection.js';
import { parseConfig } from '../../shared/config.js';
import { uniqueId } from '../support/index.js';
import { makeTestPki, type TestPki } from '../support/tls.js';

/**
 * TLS and mTLS to Temporal with the options infra/temporal-connection.ts builds, for both SDK connections
 * (the client's `Connection`, the worker's `NativeConnection`). The dev server (`temporal server
 * start-dev`) does not serve TLS, so the test puts a TLS-terminating proxy in front of it (Node's tls,
 * client certificates required, ALPN h2), as a load balancer would: the handshake, certificate checks and
 * server name are real; Temporal's own TLS listener and API-key checks (Temporal Cloud) are not tested.
 */
describe('Temporal over TLS (through a TLS-terminating proxy)', () => {
  let pki: TestPki;
  let proxy: Server;
  let address: string;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    pki = makeTestPki(join(inject('runDir'), uniqueId('temporal-tls')));
    const [host, port] = inject('temporalAddress').split(':') as [string, string];
    proxy = createServer(
      {
        cert: readFileSync(pki.serverCertFile),
        key: readFileSync(pki.serverKeyFile),
        ca: readFileSync(pki.caFile),
        requestCert: true,
        rejectUnauthorized: true,
        ALPNProtocols: ['h2'],
      },
      (client) => {
        const upstream = netConnect(Number(port), host);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('error', () => s.destroy());
          s.on('close', () => sockets.delete(s));
        }
        client.pipe(upstream).pipe(client);
      },
    );
    proxy.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    address = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => proxy?.close(resolve));
  });

  const mtls = () => ({
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TLS_CA_FILE: pki.caFile,
    TEMPORAL_TLS_CERT_FILE: pki.clientCertFile,
    TEMPORAL_TLS_KEY_FILE: pki.clientKeyFile,
  });

  it('connects the client and the worker connection with the CA and a client certificate', async () => {
    const options = temporalConnectionOptions(parseConfig({ ...mtls(), TEMPORAL_TLS_SERVER_NAME: 'localhost' }));
    const connection = await Connection.connect({ ...options, connectTimeout: '10s' });
    try {
      const info = await connection.workflowService.getSystemInfo({});
      expect(info.serverVersion).toBeTruthy();
    } finally {
      await connection.close();
    }
    const native = await NativeConnection.connect({ ...temporalConnectionOptions(parseConfig(mtls())) });
    try {
      const info = await native.workflowService.getSystemInfo({});
      expect(info.serverVersion).toBeTruthy();
    } finally {
      await native.close();
    }
  });

  it('is refused without the CA, without a client certificate, and with a wrong server name', async () => {
    const refused = async (env: Record<string, string>) => {
      const connection = await Connection.connect({ ...temporalConnectionOptions(parseConfig(env)), connectTimeout: '3s' }).catch(
        (err: unknown) => err,
      );
      if (connection instanceof Connection) {
        await connection.close();
        return false;
      }
      return true;
    };
    const { TEMPORAL_TLS_CA_FILE: _ca, ...noCa } = mtls();
    const { TEMPORAL_TLS_CERT_FILE: _cert, TEMPORAL_TLS_KEY_FILE: _key, ...noCert } = mtls();
    expect(await refused(noCa)).toBe(true);
    expect(await refused(noCert)).toBe(true);
    expect(await refused({ ...mtls(), TEMPORAL_TLS_SERVER_NAME: 'temporal.elsewhere' })).toBe(true);
    await expect(
      NativeConnection.connect({ ...temporalConnectionOptions(parseConfig(noCert)) }).then(async (c) => {
        await c.close();
        return 'connected';
      }),
    ).rejects.toThrow();
  });
});
