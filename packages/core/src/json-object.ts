import * as v from "valibot";
import type { JsonObject } from "./protocol";

/**
 * Whether a parsed JSON value is an object (not null, not an array): what
 * the protocol means by "a JSON object" for a message, a state or `info`.
 */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A schema for a JSON object, failing with `message`. */
export function jsonObjectSchema(message: string) {
  return v.custom<JsonObject>(isJsonObject, message);
}
