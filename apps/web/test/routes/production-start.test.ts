// A production start runs `register()` of src/instrumentation.ts before it serves anything
// (Next calls it once per server process). Here it runs the same way in a child process,
// with only the settings given, so the test sees what an operator sees: the exit code and
// the message on stderr.
import { join } from "node:path";
import { type Finished, runToEnd } from "@herenow/testing";
import { describe, expect, it } from "vitest";

const appDir = join(import.meta.dirname, "..", "..");

const deployed = {
  HERENOW_SECRET: "s".repeat(48),
  HERENOW_SESSION_SECRET: "t".repeat(48),
  HERENOW_PARTY_HOST: "herenow.example.workers.dev",
  HERENOW_ADMIN_PASSWORD: "correct horse battery staple",
};

/** Starts a server process's instrumentation with exactly these settings. */
function start(settings: Record<string, string>): Promise<Finished> {
  const script = `const { register } = await import(${JSON.stringify(join(appDir, "src", "instrumentation.ts"))});
await register();
console.log("started");`;
  return runToEnd(
    process.execPath,
    // "react-server" as Next resolves server code (so `server-only` is its empty module); "herenow:source" for the workspace packages
    [
      "--conditions=react-server",
      "--conditions=herenow:source",
      "--import",
      "tsx",
      "--input-type=module",
      "--eval",
      script,
    ],
    {
      cwd: appDir,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        NODE_ENV: "production",
        NEXT_RUNTIME: "nodejs",
        ...settings,
      },
    },
  );
}

describe("a production start", () => {
  it("refuses to start without a database, with a message naming DATABASE_URL and where to set it", async () => {
    const { code, stderr } = await start(deployed);
    expect(code).toBe(1);
    expect(stderr).toContain("DATABASE_URL is missing: set it to your Postgres database");
    expect(stderr).toContain("Set them in the server's environment");
  });

  it("on Vercel, also wants CRON_SECRET and says to set them in the project", async () => {
    const { code, stderr } = await start({ ...deployed, VERCEL: "1" });
    expect(code).toBe(1);
    expect(stderr).toContain("DATABASE_URL is missing");
    expect(stderr).toContain("CRON_SECRET is missing");
    expect(stderr).toContain("Set them in the Vercel project (Settings → Environment Variables) and redeploy");
  });

  it("starts with a database URL, touching no database before the first request", async () => {
    // port 1: nothing listens there, so this also shows the start itself does not connect
    const { code, stdout, stderr } = await start({
      ...deployed,
      DATABASE_URL: "postgres://app:secret@127.0.0.1:1/app",
    });
    expect(stderr).toBe("");
    expect(stdout).toContain("started");
    expect(code).toBe(0);
  });
});
