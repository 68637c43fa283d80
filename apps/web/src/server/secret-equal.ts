import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Whether `given` equals the secret, in constant time: both sides are hashed
 * first, so not even their lengths leak through timing.
 *
 * @example if (!secretEquals(password, env().adminPassword)) return unauthorized();
 */
export function secretEquals(given: string, secret: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(secret).digest();
  return timingSafeEqual(a, b);
}

/**
 * Whether an `Authorization` header is `Bearer <secret>`, compared as {@link secretEquals} does.
 *
 * @example if (!bearerMatches(request.headers.get("authorization"), env().secret)) return problem(401, "…");
 */
export function bearerMatches(header: string | null, secret: string): boolean {
  const given = header?.match(/^Bearer\s+(.+)$/i)?.[1] ?? "";
  return given.length > 0 && secretEquals(given, secret);
}
