import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, newNonce } from "@/server/content-security-policy";

const directive = (policy: string, name: string) =>
  policy
    .split("; ")
    .find((each) => each.startsWith(`${name} `))
    ?.slice(name.length + 1);

describe("contentSecurityPolicy", () => {
  it("runs scripts by nonce alone and connects to this site and the party's host alone", () => {
    const policy = contentSecurityPolicy({
      nonce: "bm9uY2U=",
      partyOrigin: "https://herenow.example.workers.dev",
      development: false,
    });
    expect(directive(policy, "script-src")).toBe("'self' 'nonce-bm9uY2U=' 'strict-dynamic'");
    expect(directive(policy, "style-src")).toBe("'self' 'nonce-bm9uY2U='");
    expect(directive(policy, "connect-src")).toBe(
      "'self' wss://herenow.example.workers.dev https://herenow.example.workers.dev",
    );
    expect(directive(policy, "object-src")).toBe("'none'");
    expect(directive(policy, "frame-ancestors")).toBe("'none'");
  });

  it("allows eval and inline styles in development only, where React and Next's overlay need them, and a local party over ws://", () => {
    const policy = contentSecurityPolicy({ nonce: "n", partyOrigin: "http://127.0.0.1:1999", development: true });
    expect(directive(policy, "script-src")).toBe("'self' 'nonce-n' 'strict-dynamic' 'unsafe-eval'");
    expect(directive(policy, "style-src")).toBe("'self' 'unsafe-inline'");
    expect(directive(policy, "connect-src")).toBe("'self' ws://127.0.0.1:1999 http://127.0.0.1:1999");
  });

  it("makes a new nonce each time", () => {
    expect(newNonce()).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(newNonce()).not.toBe(newNonce());
  });
});
