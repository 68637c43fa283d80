"use client";

import { usePathname } from "next/navigation";
import { SignOutButton } from "@/components/sign-out-button";

/**
 * Whether a path is one of the admin pages, which have their own sign-in
 * (the admin password) and their own way out.
 *
 * @example
 * isAdminPath("/admin/rooms/lobby") // true
 */
export function isAdminPath(pathname: string | null): boolean {
  return pathname === "/admin" || (pathname?.startsWith("/admin/") ?? false);
}

/**
 * The header's visitor: who is signed in to chat, or "Guest". Left out on
 * the admin pages, where the chat's sign-in says nothing about the admin and
 * "Guest" beside "Log out" reads as if the admin were not signed in.
 */
export function SiteUser({ user }: { user: { name: string } | null }) {
  const pathname = usePathname();
  if (isAdminPath(pathname)) return null;
  return user ? (
    <>
      <span className="site-user-name" data-testid="signed-in-as">
        {user.name}
      </span>
      <SignOutButton />
    </>
  ) : (
    <span className="muted">Guest</span>
  );
}
