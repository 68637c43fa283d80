import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { NextConfig } from "next";

// next.config.ts is compiled to CommonJS, so `import.meta` is not available;
// Next always loads it with the app folder as the working directory.
const repoRoot = resolve(process.cwd(), "..", "..");

// The workspace packages publish dist/ but export their src/ under the "herenow:source"
// condition, so the demo runs on the source with no build step. Webpack takes the
// condition; Turbopack has no custom conditions, so it is pointed at each export's source,
// read from the packages' own `exports` (`@herenow/core/engine`, `@herenow/client/server`...).
const sourceEntries = Object.fromEntries(
  ["client", "core", "db", "react"].flatMap((name) => {
    const manifest = JSON.parse(readFileSync(resolve(repoRoot, "packages", name, "package.json"), "utf8"));
    return Object.entries(manifest.exports as Record<string, string | Record<string, string>>).flatMap(
      ([subpath, target]) => {
        const source = typeof target === "string" ? undefined : target["herenow:source"];
        return source ? [[`@herenow/${name}${subpath.slice(1)}`, `../../packages/${name}/${source.slice(2)}`]] : [];
      },
    );
  }),
);

const nextConfig: NextConfig = {
  // The workspace packages' source is TypeScript.
  transpilePackages: ["@herenow/client", "@herenow/core", "@herenow/db", "@herenow/party", "@herenow/react"],
  // The database drivers stay out of the bundle: Node requires them at run time. PGlite must, as it
  // loads its WASM and data files from its own folder; pg has optional native parts the bundler cannot follow.
  serverExternalPackages: ["@electric-sql/pglite", "pg"],
  turbopack: { root: repoRoot, resolveAlias: sourceEntries },
  webpack(config: { resolve: { conditionNames?: string[] } }) {
    config.resolve.conditionNames = ["herenow:source", ...(config.resolve.conditionNames ?? ["..."])];
    return config;
  },
  outputFileTracingRoot: repoRoot,
  // the party and its webhook use 127.0.0.1, so the app is often opened there too
  allowedDevOrigins: ["127.0.0.1"],
  poweredByHeader: false,
  reactStrictMode: true,
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          // no framing: the admin page's kick buttons must not be clickjacked
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          // the demo uses none of these; a script that got in must not either
          {
            key: "Permissions-Policy",
            value:
              "accelerometer=(), browsing-topics=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()",
          },
          // a window this site opens, or that opens it, gets no handle on the other
          { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
        ],
      },
      {
        // pages get theirs, with a nonce, from src/proxy.ts; JSON and redirects need no content at all
        source: "/api/:path*",
        headers: [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" }],
      },
    ];
  },
};

export default nextConfig;
