import { MAX_NAME_LENGTH } from "@/lib/display-name";

/**
 * Sign in with a display name: a plain form posted to `/api/session`, which
 * sets the session cookie and comes back to `returnTo`.
 */
export function SignInForm({
  returnTo,
  error,
  label = "Sign in",
  compact = false,
}: {
  returnTo: string;
  error?: string | undefined;
  label?: string;
  compact?: boolean;
}) {
  return (
    <form method="post" action="/api/session" className={compact ? "sign-in sign-in-compact" : "sign-in"}>
      <input type="hidden" name="intent" value="sign-in" />
      <input type="hidden" name="returnTo" value={returnTo} />
      <label className="visually-hidden" htmlFor={compact ? "sign-in-name-compact" : "sign-in-name"}>
        Your name
      </label>
      <input
        id={compact ? "sign-in-name-compact" : "sign-in-name"}
        name="name"
        required
        maxLength={MAX_NAME_LENGTH}
        autoComplete="nickname"
        placeholder="Your name"
        aria-invalid={error ? true : undefined}
      />
      <button type="submit">{label}</button>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}

/** The message for a `?signin=` error code from `/api/session`. */
export function signInError(code: string | string[] | undefined): string | undefined {
  if (code === "invalid_name") {
    return `Enter a name of 1 to ${MAX_NAME_LENGTH} visible characters, without text-direction controls.`;
  }
  return code === "too_many" ? "Too many sign-ins from your network just now. Try again in a few minutes." : undefined;
}
