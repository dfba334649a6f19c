#!/usr/bin/env node
// The `advocacy` command (package.json "bin"). The CLI is TypeScript run through tsx, like the workers:
// no build step, and the same sources the tests run.
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../cli/main.ts');
const code = await run(process.argv.slice(2));
// Exit now rather than wait for timers or sockets a library may keep; stdout and stderr are written
// synchronously for files and pipes on POSIX, so nothing printed is lost.
process.exit(code);
