import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { clientAddress, SOCKET_ADDRESS_HEADER } from "@/server/client-address";
import { stampSocketAddresses } from "@/server/socket-address";

describe("clientAddress", () => {
  const forged = { "x-forwarded-for": "203.0.113.66, 10.0.0.1", "x-real-ip": "203.0.113.67" };

  it("takes the socket address by default, never what the client wrote", () => {
    const headers = new Headers({ ...forged, [SOCKET_ADDRESS_HEADER]: "192.0.2.1" });
    expect(clientAddress(headers, { from: "socket" })).toBe("192.0.2.1");
    expect(clientAddress(new Headers(forged), { from: "socket" })).toBeNull();
  });

  it("takes Vercel's x-real-ip on Vercel, and the header the proxy sets when told which", () => {
    expect(clientAddress(new Headers({ "x-real-ip": "2001:DB8::1" }), { from: "vercel" })).toBe("2001:db8::1");
    // of X-Forwarded-For the last entry: the one the proxy in front added
    const appended = new Headers({ "x-forwarded-for": "203.0.113.66, 198.51.100.4" });
    expect(clientAddress(appended, { from: "header", name: "x-forwarded-for" })).toBe("198.51.100.4");
    expect(clientAddress(new Headers(forged), { from: "header", name: "x-real-ip" })).toBe("203.0.113.67");
    expect(clientAddress(new Headers({ "x-real-ip": "not an <address>" }), { from: "vercel" })).toBeNull();
    expect(clientAddress(new Headers({ "x-real-ip": "x".repeat(300) }), { from: "vercel" })).toBeNull();
  });
});

describe("stampSocketAddresses", () => {
  it("writes the socket's address over any the client sent under the same header", async () => {
    stampSocketAddresses();
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((request, response) => {
      seen.push(request.headers);
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const answer = await fetch(`http://127.0.0.1:${port}/`, { headers: { [SOCKET_ADDRESS_HEADER]: "203.0.113.9" } });
      await answer.arrayBuffer();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(seen[0]?.[SOCKET_ADDRESS_HEADER]).toBe("127.0.0.1");
  });
});
