// What /admin shows when no admin password is set: the same 12-character rule that env.ts enforces.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { AdminOff } from "@/components/admin/admin-off";

describe("the admin page when it is off", () => {
  const html = renderToStaticMarkup(createElement(AdminOff));

  it("says how to turn it on", () => {
    expect(html).toContain("The admin page is off</h1>");
    expect(html).toContain("<code>HERENOW_ADMIN_PASSWORD=&#x27;a long passphrase&#x27; npm run dev</code>");
    expect(html).toContain("<code>apps/web/.env.local</code>");
  });

  // env.test.ts holds the rule itself (12 characters in development too); the hint must not say otherwise
  it("gives the length rule that holds in every mode", () => {
    expect(html).toContain("Use at least 12 characters, in development as in production");
    expect(html).not.toContain("in production use");
  });
});
