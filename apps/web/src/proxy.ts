import { type NextRequest, NextResponse } from "next/server";
import { env } from "@/env";
import { contentSecurityPolicy, newNonce } from "@/server/content-security-policy";

/**
 * Gives every page its Content-Security-Policy with a fresh nonce. The
 * request carries the policy too: Next reads the nonce from there and puts
 * it on the scripts it renders (every page is rendered per request: the
 * layout reads the session cookie).
 */
export function proxy(request: NextRequest): NextResponse {
  const settings = env();
  const policy = contentSecurityPolicy({
    nonce: newNonce(),
    partyOrigin: settings.partyOrigin,
    development: settings.mode === "development",
  });
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", policy);
  return response;
}

export const config = {
  // Pages only. Not the API routes: they answer JSON and redirects, and a proxy in front of the
  // webhook receiver would have Next buffer each body before the route could refuse it unread.
  // Not the build's static files, nor prefetches, whose answers are not documents.
  matcher: [
    {
      source: "/((?!api/|_next/static/|_next/image|favicon.ico|icon.svg).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
