import "server-only";
import { ipAddress } from "@vercel/functions";
import type { ClientAddressSource } from "@/env";

/**
 * The header the app's own Node server writes each request's socket address
 * into (see `stampSocketAddresses`), over anything a client sent under the
 * same name.
 */
export const SOCKET_ADDRESS_HEADER = "x-herenow-socket-address";

const ADDRESS = /^[0-9a-z.:%[\]_-]{1,64}$/;

/**
 * A request's client address as the deployment can vouch for it, or `null`
 * when it has none: on Vercel the platform's `x-real-ip` (Vercel writes it and
 * `X-Forwarded-For` itself, whatever the client sent); behind a proxy the
 * header `HERENOW_CLIENT_IP_HEADER` names, which that proxy must set (of
 * `X-Forwarded-For` the last entry, the one the proxy in front added); else
 * the socket's own address. Never the first `X-Forwarded-For` entry a client
 * can write itself.
 *
 * @example
 * clientAddress(request.headers, env().clientAddress) // "203.0.113.7"
 */
export function clientAddress(headers: Headers, source: ClientAddressSource): string | null {
  const raw =
    source.from === "vercel"
      ? ipAddress(headers)
      : source.from === "socket"
        ? headers.get(SOCKET_ADDRESS_HEADER)
        : source.name === "x-forwarded-for"
          ? headers.get(source.name)?.split(",").at(-1)
          : headers.get(source.name);
  const address = raw?.trim().toLowerCase();
  return address && ADDRESS.test(address) ? address : null;
}
