import { SignJWT } from "jose";
import { env } from "../env";
import type { SessionUser } from "./session";

/** How long a presence token lives; the hook fetches a new one before it runs out. */
export const TOKEN_LIFETIME_SECONDS = 10 * 60;

/**
 * The protocol's JWT for a signed-in user, good for one room only: HS256
 * with `HERENOW_SECRET`, claims `sub`, `name`, `rooms: [room]`, `exp`.
 *
 * @example
 * const { token, expiresAt } = await issuePresenceToken({ id: "u_1…", name: "Ann" }, "lobby");
 */
export async function issuePresenceToken(
  user: SessionUser,
  room: string,
  nowMs = Date.now(),
): Promise<{ token: string; expiresAt: number }> {
  const expiresAt = Math.floor(nowMs / 1000) + TOKEN_LIFETIME_SECONDS;
  const token = await new SignJWT({ name: user.name, rooms: [room] })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(user.id)
    .setIssuedAt(Math.floor(nowMs / 1000))
    .setExpirationTime(expiresAt)
    .sign(new TextEncoder().encode(env().secret));
  return { token, expiresAt: expiresAt * 1000 };
}
