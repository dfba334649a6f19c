/**
 * Templates and helpers for the pure state-machine tests: a few hand-written templates (built as objects
 * and parsed with `parseTemplate`, so every default and reference check applies), small builders for
 * start requests and commands, and fast-check arbitraries that generate random VALID templates, start
 * requests and command sequences.
 */
export * from './commands.js';
export * from './hand-written.js';
export * from './random-sessions.js';
export * from './random-templates.js';
export * from './time-and-actors.js';
