const encoder = new TextEncoder();

/**
 * Compares two strings in time that depends only on their lengths, so a
 * caller guessing a secret learns nothing from how fast a refusal comes.
 *
 * @example safeEqual(bearer, settings.secret)
 */
export function safeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  let difference = left.length ^ right.length;
  for (let i = 0; i < left.length; i++) difference |= (left[i] ?? 0) ^ (right[i % (right.length || 1)] ?? 0);
  return difference === 0;
}
