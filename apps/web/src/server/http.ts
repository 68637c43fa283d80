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

/** The longest `returnTo` accepted; a real page of this site is far shorter. */
const MAX_RETURN_PATH_LENGTH = 512;

/**
 * The path to send a visitor back to after a form post, or `null` when
 * `value` would lead anywhere but a page of `origin` (the caller answers 400).
 * The rule is the browser's own: `value` is resolved against the site's origin
 * by the WHATWG URL parser, which is what Chromium does with a `Location`, and
 * must land on that origin; the answer is the normalised path, which must
 * resolve to the same place again. Checking the raw text instead misses what
 * the parser rewrites: it drops tabs and newlines (`/\t/evil.example` becomes
 * `//evil.example`), reads `\` as `/`, and collapses `/.//evil.example` to a
 * path that starts with `//`. Control characters are refused before parsing:
 * no real path has them, and a CR or LF in a header is an error.
 *
 * @example
 * sameSitePath("/rooms/lobby?x=1", "https://app.example") // "/rooms/lobby?x=1"
 * sameSitePath("/\t/evil.example/x", "https://app.example") // null
 */
export function sameSitePath(value: unknown, origin: string): string | null {
  if (typeof value !== "string" || value === "" || value.length > MAX_RETURN_PATH_LENGTH) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value, origin);
  } catch {
    return null;
  }
  if (url.origin !== new URL(origin).origin) return null;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // `/.//evil.example` parses to the path `//evil.example`, which a browser reads as another host
  return new URL(path, origin).href === url.href ? path : null;
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
