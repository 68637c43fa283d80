import { defineConfig } from "tsdown";
import { packageBuild } from "../../tsdown.base.ts";

export default defineConfig(
  packageBuild({
    // the hooks and the provider are client components: Next's App Router needs the directive
    // at the top of the bundle it imports (src/ has none, so the tests and SSR code share it)
    banner: { js: '"use client";' },
  }),
);
