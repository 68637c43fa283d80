import { randomBytes } from "node:crypto";
import { Client } from "pg";

/**
 * A throwaway database beside `baseUrl`'s (same server and role), so test files never share
 * tables; `drop` removes it, closing whatever connections are left.
 *
 * @example
 * const scratch = await createScratchDatabase(process.env.DATABASE_URL, "herenow_test");
 * const db = createDb({ url: scratch.url });
 * // ... afterAll: await db.destroy(); await scratch.drop();
 */
export async function createScratchDatabase(
  baseUrl: string,
  prefix: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = async (statement: string) => {
    const client = new Client({ connectionString: baseUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database "${name}"`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists "${name}" with (force)`) };
}
