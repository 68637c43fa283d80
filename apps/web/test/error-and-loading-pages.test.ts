// The pages Next shows on its own: global-error (rendered to HTML as Next does on the
// server, and its button followed to the retry it was given) and the loading skeletons.
import { createElement, type ReactElement, type ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";
import AdminLoading from "@/app/admin/loading";
import AdminRoomLoading from "@/app/admin/rooms/[room]/loading";
import GlobalError from "@/app/global-error";
import RoomLoading from "@/app/rooms/[room]/loading";

type Props = { children?: ReactNode; onClick?: () => void; type?: string };

/** The elements of a rendered tree, depth first (function components are not expanded). */
function elements(node: ReactNode): ReactElement<Props>[] {
  if (Array.isArray(node)) return node.flatMap(elements);
  if (typeof node !== "object" || node === null || !("props" in node)) return [];
  const element = node as ReactElement<Props>;
  return [element, ...elements(element.props.children)];
}

describe("global-error", () => {
  const serverError = Object.assign(new Error("relation users does not exist"), { digest: "3141592653" });

  it("is a whole document that says what happened, with the digest, a way to try again and a way home", () => {
    const html = renderToStaticMarkup(createElement(GlobalError, { error: serverError, retry: () => undefined }));
    expect(html).toMatch(/^<html lang="en"[^>]*>.*<title>Something went wrong · herenow<\/title>.*<body[^>]*><main/);
    expect(html).toContain("<h1");
    expect(html).toContain("Something went wrong</h1>");
    expect(html).toContain("herenow could not show this page");
    expect(html).toContain("Error reference: <code>3141592653</code>");
    expect(html).toMatch(/<button type="button"[^>]*>Try again<\/button>/);
    expect(html).toContain('<a href="/">Back to the lobby</a>');
    // production hides a server error's message: the page must not show it either
    expect(html).not.toContain("relation users");
  });

  it("leaves the reference out when the error has no digest (a value thrown in the browser)", () => {
    const html = renderToStaticMarkup(createElement(GlobalError, { error: "boom", retry: () => undefined }));
    expect(html).toContain("Try again");
    expect(html).not.toContain("Error reference");
  });

  it("calls retry from its button", () => {
    const retry = vi.fn();
    const tree = GlobalError({ error: serverError, retry });
    const button = elements(tree).find((element) => element.type === "button");
    expect(button?.props.children).toBe("Try again");
    button?.props.onClick?.();
    expect(retry).toHaveBeenCalledOnce();
  });
});

describe.each([
  ["the room", RoomLoading, "Loading the room…"],
  ["the admin pages", AdminLoading, "Loading…"],
  ["a room's admin page", AdminRoomLoading, "Loading the room…"],
])("loading %s", (_, Loading, status) => {
  const html = renderToStaticMarkup(createElement(Loading));

  it("announces itself once, as a status", () => {
    expect(html.match(/role="status"/g)).toHaveLength(1);
    expect(html).toMatch(
      new RegExp(`role="status"[^>]*><span class="status-dot" aria-hidden="true"></span>${status}</p>`),
    );
    expect(html).toContain('aria-busy="true"');
  });

  it("draws its skeleton hidden from screen readers", () => {
    const skeletons = skeletonsHidden(html);
    expect(skeletons.length).toBeGreaterThan(0);
    expect(skeletons.filter((hidden) => !hidden)).toEqual([]);
  });
});

/** For each skeleton bar in the markup, whether it or an element around it is aria-hidden. */
function skeletonsHidden(html: string): boolean[] {
  const hiddenStack: boolean[] = [];
  const found: boolean[] = [];
  for (const [, closing, attributes = ""] of html.matchAll(/<(\/?)[a-z0-9]+([^>]*)>/g)) {
    if (closing) {
      hiddenStack.pop();
      continue;
    }
    const hidden = (hiddenStack.at(-1) ?? false) || attributes.includes('aria-hidden="true"');
    if (/class="skeleton[ "]/.test(attributes)) found.push(hidden);
    hiddenStack.push(hidden);
  }
  return found;
}
