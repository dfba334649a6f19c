import { parseDocument } from 'yaml';

/**
 * YAML written by hand (templates, the region data): a repeated key is an error rather than a silent
 * override, and every syntax problem becomes one line, `line L, column C: message` (the first line of the
 * parser's message; the rest is an excerpt of the text, which the line and column already point at).
 * `invalid` builds the caller's own error from those lines, so each file names itself in its errors.
 */
export function parseStrictYaml(text: string, invalid: (problems: string[]) => Error): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw invalid(
      doc.errors.map((e) => {
        const at = e.linePos?.[0];
        return `${at ? `line ${at.line}, column ${at.col}` : '(yaml)'}: ${e.message.split('\n')[0] ?? e.message}`;
      }),
    );
  }
  try {
    return doc.toJS();
  } catch (err) {
    // Aliases are resolved only here: one never anchored, or so many that they would blow the value up.
    throw invalid([`(yaml): ${(err as Error).message}`]);
  }
}
