import { token } from "@herenow/testing";

/** The token of benchmark user number `user`, signed by the same helper the party's tests use. */
export function tokenFor(user: number, secret: string): Promise<string> {
  return token({ id: `u${user}`, name: `User ${user}` }, { secret, expiresIn: "2h" });
}
