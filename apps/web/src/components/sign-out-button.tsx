"use client";

import { usePathname } from "next/navigation";

/** Signs out and comes back to the same page, as an anonymous visitor. */
export function SignOutButton() {
  const pathname = usePathname();
  return (
    <form method="post" action="/api/session" className="inline-form">
      <input type="hidden" name="intent" value="sign-out" />
      <input type="hidden" name="returnTo" value={pathname} />
      <button type="submit" className="link-button">
        Sign out
      </button>
    </form>
  );
}
