/**
 * Why a state-changing request must be refused as cross-site, or `null` when
 * it may proceed. Browsers send `Sec-Fetch-Site` and `Origin` on every POST;
 * a request from another site (a hidden form, a `fetch` with credentials)
 * carries one of them and is refused. A request with neither comes from a
 * program, not a browser, and so cannot ride on a visitor's cookies.
 *
 * @example
 * const refused = crossSiteProblem(request.headers, request.url);
 * if (refused) return problem(403, refused);
 */
export function crossSiteProblem(headers: Headers, requestUrl: string): string | null {
  const site = headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") {
    return `cross-site request refused (Sec-Fetch-Site: ${site})`;
  }
  const origin = headers.get("origin");
  if (origin === null) return null;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return `cross-site request refused (Origin: ${origin})`;
  }
  const host = requestHost(headers, requestUrl);
  if (originHost !== host) return `cross-site request refused: Origin ${origin} is not this site (${host})`;
  return null;
}

/** The host the browser addressed: a proxy's `X-Forwarded-Host`, else `Host`, else the request URL's. */
function requestHost(headers: Headers, requestUrl: string): string {
  const forwarded = headers.get("x-forwarded-host")?.split(",")[0]?.trim();
  return forwarded || headers.get("host") || new URL(requestUrl).host;
}
