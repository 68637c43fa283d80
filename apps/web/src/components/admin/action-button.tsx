"use client";

import { useActionState, useId } from "react";
import type { ActionResult } from "../../app/admin/actions";
import { useActionReport } from "./action-status";

/** A choice the admin makes before pressing the button (a `<select>` sent with the form). */
export interface ActionChoice {
  name: string;
  label: string;
  options: readonly { value: string; label: string }[];
}

/**
 * A one-button form for an admin Server Action, with its hidden fields, an
 * optional choice, a pending state and the action's answer: next to it, or
 * in the `<ActionStatus>` around it.
 */
export function ActionButton({
  action,
  fields,
  label,
  choice,
  tone = "default",
  testId,
}: {
  action: (previous: ActionResult | null, form: FormData) => Promise<ActionResult>;
  fields: Record<string, string>;
  label: string;
  choice?: ActionChoice;
  tone?: "default" | "danger";
  testId?: string;
}) {
  const report = useActionReport();
  const [result, run, pending] = useActionState(async (previous: ActionResult | null, form: FormData) => {
    const answer = await action(previous, form);
    // reported from here, not from a render: this button may be gone by the time the answer is
    report?.(answer);
    return answer;
  }, null);
  const choiceId = useId();
  return (
    <form action={run} className="action-form">
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {choice ? (
        <>
          <label className="visually-hidden" htmlFor={choiceId}>
            {choice.label}
          </label>
          <select
            id={choiceId}
            name={choice.name}
            disabled={pending}
            data-testid={testId ? `${testId}-choice` : undefined}
          >
            {choice.options.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </>
      ) : null}
      <button
        type="submit"
        className={tone === "danger" ? "button-danger" : undefined}
        disabled={pending}
        data-testid={testId}
      >
        {pending ? "Working…" : label}
      </button>
      {result && !report ? (
        <span className={result.ok ? "action-result" : "action-result form-error"} role="status">
          {result.message}
        </span>
      ) : null}
    </form>
  );
}
