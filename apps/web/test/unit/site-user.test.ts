// The header's visitor, rendered under the path Next would give it: the chat's sign-in state on the
// chat's pages, nothing on the admin pages (whose "Log out" is the admin's, so "Guest" beside it misleads).
import { PathnameContext } from "next/dist/shared/lib/hooks-client-context.shared-runtime";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { isAdminPath, SiteUser } from "@/components/site-user";

const render = (pathname: string, user: { name: string } | null) =>
  renderToStaticMarkup(createElement(PathnameContext.Provider, { value: pathname }, createElement(SiteUser, { user })));

describe("the header's visitor", () => {
  it("shows the chat's sign-in state on the chat's pages", () => {
    expect(render("/", null)).toBe('<span class="muted">Guest</span>');
    const signedIn = render("/rooms/lobby", { name: "Ann" });
    expect(signedIn).toContain('data-testid="signed-in-as">Ann</span>');
    expect(signedIn).toContain("Sign out");
  });

  it.each(["/admin", "/admin/login", "/admin/rooms/lobby"])("shows nothing on %s", (pathname) => {
    expect(render(pathname, null)).toBe("");
    expect(render(pathname, { name: "Ann" })).toBe("");
  });

  it("tells the admin pages from rooms that merely start alike", () => {
    expect(isAdminPath("/administration")).toBe(false);
    expect(isAdminPath("/rooms/admin")).toBe(false);
    expect(isAdminPath(null)).toBe(false);
  });
});
