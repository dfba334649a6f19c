import { ConfigError, parseConfig, type Config } from '../shared/config.js';

/** Parses `process.env` once; on failure prints every problem and exits, as start-up cannot go on. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nFix the variables above (see README "Configuration") and start again.\n`);
      process.exit(78);
    }
    throw err;
  }
}
