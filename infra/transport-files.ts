import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, type Config } from '../shared/config.js';

/**
 * The files the transport settings name (certificates, keys, NATS seeds and creds), read and checked
 * when a process starts: a missing, unreadable or wrong file stops it with the variable's name and what
 * to put there, instead of a TLS handshake error at the first connection.
 */

const pem = (label: RegExp, what: string) =>
  z.string().regex(new RegExp(`-----BEGIN ${label.source}-----`), `not ${what} in PEM form (no "-----BEGIN ...-----" block)`);

const kinds = {
  certificate: pem(/CERTIFICATE/, 'a certificate'),
  privateKey: pem(/(?:RSA |EC |ENCRYPTED )?PRIVATE KEY/, 'a private key'),
  nkeySeed: z
    .string()
    .transform((s) => s.trim())
    .pipe(z.string().regex(/^SU[A-Z2-7]{56}$/, 'not a NATS user nkey seed (one line starting "SU", as `nsc` or `nk -gen user` writes)')),
  creds: z
    .string()
    .regex(/-----BEGIN NATS USER JWT-----/, 'not a NATS .creds file (no "BEGIN NATS USER JWT" block)')
    .regex(/-----BEGIN USER NKEY SEED-----/, 'not a NATS .creds file (no "BEGIN USER NKEY SEED" block)'),
} as const;
type FileKind = keyof typeof kinds;

const transportFiles = {
  TEMPORAL_TLS_CA_FILE: 'certificate',
  TEMPORAL_TLS_CERT_FILE: 'certificate',
  TEMPORAL_TLS_KEY_FILE: 'privateKey',
  NATS_TLS_CA_FILE: 'certificate',
  NATS_TLS_CERT_FILE: 'certificate',
  NATS_TLS_KEY_FILE: 'privateKey',
  NATS_NKEY_SEED_FILE: 'nkeySeed',
  NATS_CREDS_FILE: 'creds',
} as const satisfies Record<string, FileKind>;
export type TransportFileVariable = keyof typeof transportFiles;

/** The problem with the file `variable` names, or its text. */
function readChecked(variable: TransportFileVariable, path: string): { text: string } | { problem: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return { problem: `${variable}: cannot read ${path} (${code}); point it at a readable file or unset it` };
  }
  const checked = kinds[transportFiles[variable]].safeParse(text);
  if (!checked.success) return { problem: `${variable}: ${path} is ${checked.error.issues.map((i) => i.message).join('; ')}` };
  return { text: checked.data };
}

/** Reads the file a transport variable names; a ConfigError naming the variable when it is unusable. */
export function readTransportFile(variable: TransportFileVariable, path: string): string {
  const result = readChecked(variable, path);
  if ('problem' in result) throw new ConfigError([result.problem]);
  return result.text;
}

/** Every problem with the configured transport files at once (start-up, `infra/config.ts`). */
export function transportFileProblems(config: Pick<Config, TransportFileVariable>): string[] {
  return (Object.keys(transportFiles) as TransportFileVariable[]).flatMap((variable) => {
    const path = config[variable];
    if (path === undefined) return [];
    const result = readChecked(variable, path);
    return 'problem' in result ? [result.problem] : [];
  });
}

/** Throws a ConfigError listing every unusable transport file. */
export function checkTransportFiles(config: Pick<Config, TransportFileVariable>): void {
  const problems = transportFileProblems(config);
  if (problems.length > 0) throw new ConfigError(problems);
}
