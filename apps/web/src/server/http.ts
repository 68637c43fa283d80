/**
 * A JSON error answer, `{ error }`, never cached.
 *
 * @example
 * if (!user) return problem(401, "sign in first");
 */
export function problem(status: number, error: string, headers: HeadersInit = {}): Response {
  return Response.json({ error }, { status, headers: { "cache-control": "no-store", ...headers } });
}

/** Options of a cookie this app sets. */
export interface CookieOptions {
  maxAgeSeconds: number;
  secure: boolean;
  sameSite: "Lax" | "Strict";
  path?: string;
}

/**
 * A `Set-Cookie` value: always `HttpOnly`, so page scripts (and an injected
 * one) never see the session.
 *
 * @example
 * headers.append("set-cookie", serializeCookie("s", value, { maxAgeSeconds: 60, secure: true, sameSite: "Lax" }));
 */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [
    `${name}=${encodeURIComponent(value)}`,
    `Path=${options.path ?? "/"}`,
    `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`,
    "HttpOnly",
    `SameSite=${options.sameSite}`,
  ];
  if (options.secure) parts.push("Secure");
  return parts.join("; ");
}

/**
 * One cookie's value from a `Cookie` header, or `null`.
 *
 * @example
 * readCookie(request.headers.get("cookie"), "herenow_session");
 */
export function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const at = part.indexOf("=");
    if (at < 0 || part.slice(0, at).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(at + 1).trim());
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * Whether cookies set in answer to this request should be `Secure`: when the
 * browser talks HTTPS to us, directly or through a proxy.
 */
export function isHttps(request: Request): boolean {
  const forwarded = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
  return (forwarded ?? new URL(request.url).protocol.replace(":", "")) === "https";
}

/**
 * A local path to go back to after a form post, or `fallback`: only `/…`
 * paths of this site, so `?returnTo=https://evil.example` cannot redirect away.
 */
export function safeReturnPath(value: unknown, fallback = "/"): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.includes("\\")) {
    return fallback;
  }
  return value.length > 512 ? fallback : value;
}

/**
 * A `303 See Other` to a local path, so the browser follows a form post with a GET.
 * The location is relative: behind a proxy `request.url` may name an internal host.
 */
export function seeOther(path: string, headers: Headers = new Headers()): Response {
  headers.set("location", path);
  headers.set("cache-control", "no-store");
  return new Response(null, { status: 303, headers });
}
