import { defineConfig } from "vitest/config";
import { SOURCE_CONDITIONS } from "../../vitest.shared.ts";

const conditions = SOURCE_CONDITIONS;

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: { include: ["test/**/*.test.ts"] },
});
