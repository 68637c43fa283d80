import type { Metadata, Viewport } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { SignOutButton } from "@/components/sign-out-button";
import { env } from "@/env";
import { currentUser } from "@/server/page-session";
import "./globals.css";
import { Providers } from "./providers";

export const metadata: Metadata = {
  title: { default: "herenow chat", template: "%s · herenow" },
  description: "A chat that shows who is here right now: the herenow presence demo.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  return (
    <html lang="en">
      <body>
        <Providers partyHost={env().partyHost}>
          <header className="site-header">
            <Link href="/" className="brand">
              <span className="brand-dot" aria-hidden="true" />
              herenow
            </Link>
            <nav className="site-nav" aria-label="Main">
              <Link href="/">Lobby</Link>
              <Link href="/admin">Admin</Link>
            </nav>
            <div className="site-user">
              {user ? (
                <>
                  <span className="site-user-name" data-testid="signed-in-as">
                    {user.name}
                  </span>
                  <SignOutButton />
                </>
              ) : (
                <span className="muted">Guest</span>
              )}
            </div>
          </header>
          <main className="site-main">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
