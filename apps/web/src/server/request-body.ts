/**
 * A request's fields, from a form post (urlencoded or multipart) or a JSON
 * object; `null` when the body is neither. Values are left unvalidated: the
 * caller runs them through a valibot schema.
 *
 * @example
 * const body = await readFields(request);
 * const parsed = v.safeParse(SignIn, body);
 */
export async function readFields(request: Request): Promise<Record<string, unknown> | null> {
  const type = request.headers.get("content-type") ?? "";
  try {
    if (type.includes("application/json")) {
      const body: unknown = await request.json();
      return typeof body === "object" && body !== null && !Array.isArray(body)
        ? (body as Record<string, unknown>)
        : null;
    }
    if (type.includes("application/x-www-form-urlencoded") || type.includes("multipart/form-data")) {
      const form = await request.formData();
      const fields: Record<string, unknown> = {};
      for (const [name, value] of form) if (typeof value === "string") fields[name] = value;
      return fields;
    }
  } catch {
    return null;
  }
  return null;
}

/** Whether the client asked for JSON (a script) rather than posting a form (a browser, which wants a redirect). */
export function wantsJson(request: Request): boolean {
  return (request.headers.get("content-type") ?? "").includes("application/json");
}
