// Bounded excerpts of user input for messages, logs and Events: a value can be megabytes long (a 1 MB
// annotation, a pasted file), and a message quoting it whole makes a megabyte log line. Every message
// that quotes input uses `quote`; Problems.add bounds what is left as a safety net.

/** Characters of input kept in a message: enough to recognise the value, small enough for one log line. */
export const EXCERPT_CHARS = 200;

/** The text, cut to `max` characters with the number left out said, e.g. `abc… (+999800 more characters)`. */
export function excerpt(text: string, max = EXCERPT_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (+${text.length - max} more characters)`;
}

/** The value JSON-quoted (escapes visible), excerpted. */
export function quote(text: string, max = EXCERPT_CHARS): string {
  if (text.length <= max) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, max))}… (+${text.length - max} more characters)`;
}
