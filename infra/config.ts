import { ConfigError, parseConfig, type Config } from '../shared/config.js';
import { checkTransportFiles } from './transport-files.js';

/**
 * Parses `process.env` once, and reads the TLS, nkey and creds files it names; on failure prints every
 * problem and exits, as start-up cannot go on.
 */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  return orExitOnConfigError(() => {
    const config = parseConfig(env);
    checkTransportFiles(config);
    return config;
  });
}

/**
 * Runs a start-up step that reads the configuration further (the payload keys, say); on a ConfigError
 * prints its problems and exits as `loadConfigOrExit` does.
 */
export function orExitOnConfigError<T>(step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nFix the variables above (see README "Configuration") and start again.\n`);
      process.exit(78);
    }
    throw err;
  }
}
