import { SignJWT } from "jose";

/** The token of benchmark user number `user`, signed like the web app signs them. */
export async function tokenFor(user: number, secret: string): Promise<string> {
  return new SignJWT({ name: `User ${user}` })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(`u${user}`)
    .setExpirationTime("2h")
    .sign(new TextEncoder().encode(secret));
}
