/**
 * The Content-Security-Policy of every page. Scripts run only with this
 * response's nonce (Next puts it on its own scripts, reading it from the
 * request's copy of this header) or when such a script loads them
 * (`'strict-dynamic'`), so an injected `<script>` does not run; connections
 * go to this site and the party's WebSocket host alone, so an injected
 * script that did run could not send what it read anywhere else (the
 * party's own host over ws(s):// and, for the hook's diagnosis, http(s)://). Style
 * attributes stay allowed (the avatars' hue and the skeletons' sizes are
 * rendered into them); style elements need the nonce. In development only,
 * `'unsafe-eval'` (React rebuilds server error stacks with `eval`) and
 * inline style elements (Next's development overlay).
 *
 * @example
 * contentSecurityPolicy({ nonce, partyOrigin: "https://herenow.example.workers.dev", development: false })
 */
export function contentSecurityPolicy(options: { nonce: string; partyOrigin: string; development: boolean }): string {
  const { nonce, partyOrigin, development } = options;
  // partysocket speaks ws:// to a party it reaches over http:// and wss:// over https://; the hook
  // asks the party over HTTP why a socket did not open (a ban, a refused token)
  const partySocket = partyOrigin.replace(/^http/, "ws");
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    // Next's development overlay adds style elements of its own, without the nonce (and a
    // browser ignores 'unsafe-inline' next to a nonce)
    `style-src 'self' ${development ? "'unsafe-inline'" : `'nonce-${nonce}'`}`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${partySocket} ${partyOrigin}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  return directives.join("; ");
}

/**
 * A fresh nonce for one response: 128 random bits, base64.
 *
 * @example
 * const nonce = newNonce(); // "q8Vf0f3c4t1Xo0pN9yq3Yw=="
 */
export function newNonce(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
}
