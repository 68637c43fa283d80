import type { Metadata, Viewport } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { SiteUser } from "@/components/site-user";
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
              <SiteUser user={user ? { name: user.name } : null} />
            </div>
          </header>
          <main className="site-main">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
