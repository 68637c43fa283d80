import { identityFromClaims, LIMITS, roomNameProblem, type UserIdentity } from "@herenow/core";
import { errors, jwtVerify } from "jose";
import type { RoomSettings } from "./settings";

const keys = new Map<string, Uint8Array>();

function keyFor(secret: string): Uint8Array {
  let key = keys.get(secret);
  if (!key) {
    key = new TextEncoder().encode(secret);
    keys.set(secret, key);
  }
  return key;
}

/** Why a connection is refused before the upgrade, with the protocol's HTTP status. */
export class Refusal extends Error {
  override readonly name = "Refusal";
  constructor(
    readonly status: 400 | 401 | 403 | 409 | 500,
    message: string,
  ) {
    super(message);
  }

  toResponse(): Response {
    return new Response(`${this.message}\n`, {
      status: this.status,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  }
}

const CONNECTION_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Whether a `window` query parameter is a window size a room grants (protocol 1.1). */
function isWindowSize(value: string): boolean {
  return /^[1-9][0-9]{0,3}$/.test(value) && Number(value) <= LIMITS.maxWindowSize;
}

/**
 * Checks what a client asks for when it connects: the room name, the
 * connection id it chose and its token. Resolves to the verified identity
 * (`null` for an anonymous connection) or throws a `Refusal` carrying the
 * protocol's status: 400 for a bad room name or id, 401 for a token that is
 * malformed, forged, expired or not good for this room.
 *
 * @example
 * const identity = await verifyConnection(request.url, "lobby", settings);
 */
export async function verifyConnection(
  url: string | URL,
  room: string,
  settings: RoomSettings,
  nowMs = Date.now(),
): Promise<UserIdentity | null> {
  const problem = roomNameProblem(room);
  if (problem) throw new Refusal(400, problem);
  const params = new URL(url).searchParams;
  const connectionId = params.get("_pk");
  if (connectionId !== null && !CONNECTION_ID.test(connectionId)) {
    throw new Refusal(400, "connection id (_pk) must be 1 to 128 characters from A-Z a-z 0-9 _ - . :");
  }
  const window = params.get("window");
  if (window !== null && !isWindowSize(window)) {
    throw new Refusal(400, `window must be a whole number of users from 1 to ${LIMITS.maxWindowSize}`);
  }
  const token = params.get("token");
  if (token === null || token === "") {
    if (!settings.anonymous) throw new Refusal(401, "this room does not admit anonymous connections: send a token");
    return null;
  }
  if (token.length > 8192) throw new Refusal(401, "token is too large");
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, keyFor(settings.secret), {
      algorithms: ["HS256"],
      currentDate: new Date(nowMs),
      requiredClaims: ["exp", "sub"],
    }));
  } catch (error) {
    throw new Refusal(401, `invalid token: ${describeJoseError(error)}`);
  }
  const checked = identityFromClaims(payload, room, nowMs);
  if (!checked.ok) throw new Refusal(401, `invalid token: ${checked.reason}`);
  return checked.identity;
}

function describeJoseError(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "token has expired";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "signature does not match";
  if (error instanceof errors.JOSEAlgNotAllowed) return "only HS256 is accepted";
  if (error instanceof errors.JWTClaimValidationFailed) return `claim ${error.claim}: ${error.reason}`;
  if (error instanceof errors.JOSEError) return "malformed token";
  return "could not be verified";
}
