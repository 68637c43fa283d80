"use client";

import { useActionState } from "react";
import type { ActionResult } from "../../app/admin/actions";

/**
 * A one-button form for an admin Server Action, with its hidden fields, a
 * pending state and the action's answer next to it.
 */
export function ActionButton({
  action,
  fields,
  label,
  tone = "default",
  testId,
}: {
  action: (previous: ActionResult | null, form: FormData) => Promise<ActionResult>;
  fields: Record<string, string>;
  label: string;
  tone?: "default" | "danger";
  testId?: string;
}) {
  const [result, run, pending] = useActionState(action, null);
  return (
    <form action={run} className="action-form">
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button
        type="submit"
        className={tone === "danger" ? "button-danger" : undefined}
        disabled={pending}
        data-testid={testId}
      >
        {pending ? "Working…" : label}
      </button>
      {result ? (
        <span className={result.ok ? "action-result" : "action-result form-error"} role="status">
          {result.message}
        </span>
      ) : null}
    </form>
  );
}
