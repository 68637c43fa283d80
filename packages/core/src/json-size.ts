const encoder = new TextEncoder();

/**
 * Bytes of a string once encoded as UTF-8, without encoding it when the answer is
 * plain from its length (every UTF-16 unit is 1 to 3 UTF-8 bytes).
 *
 * @example utf8Length("héllo") // 6
 */
export function utf8Length(text: string): number {
  if (text.length * 3 <= 0xffff) {
    let bytes = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x80) bytes += 1;
      else if (code < 0x800) bytes += 2;
      // a surrogate pair is 4 bytes in all, 2 for each half
      else if (code >= 0xd800 && code <= 0xdfff) bytes += 2;
      else bytes += 3;
    }
    return bytes;
  }
  return encoder.encode(text).byteLength;
}

/**
 * Whether a string is longer than `limit` UTF-8 bytes, answered from its length
 * where that suffices so a flood of huge frames costs no encoding.
 */
export function exceedsUtf8(text: string, limit: number): boolean {
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  return utf8Length(text) > limit;
}

/**
 * Size of a value as JSON in UTF-8 bytes, or `Infinity` when it cannot be
 * serialised (a cycle, or nesting deep enough to exhaust the stack).
 */
export function jsonSize(value: unknown): number {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? 0 : utf8Length(text);
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
