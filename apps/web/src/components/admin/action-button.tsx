"use client";

import { useActionState, useId, useRef, useState } from "react";
import type { ActionResult } from "@/app/admin/actions";
import { useActionReport } from "./action-status";

/** A choice the admin makes before pressing the button (a `<select>` sent with the form). */
export interface ActionChoice {
  name: string;
  label: string;
  options: readonly { value: string; label: string }[];
}

/**
 * What to ask before an action that cannot be undone runs. `{choice}` in the
 * question stands for the label of what is chosen in the button's
 * `<select>` when it is pressed ("Ban Ann from #lobby for {choice}?").
 */
export interface ActionConfirm {
  question: string;
  detail?: string;
  /** The button that goes ahead, e.g. "Kick"; the other one is always "Cancel". */
  confirmLabel: string;
}

/**
 * A one-button form for an admin Server Action, with its hidden fields, an
 * optional choice, a pending state and the action's answer: next to it, or
 * in the `<ActionStatus>` around it. With `confirm`, the button first opens a
 * modal dialog that says who and what; the action runs only from its
 * confirm button, and Cancel, which has the focus, or Escape sends nothing.
 *
 * @example
 * <ActionButton action={kickAction} fields={{ room, userId }} label="Kick user" tone="danger"
 *   confirm={{ question: "Kick Ann from #lobby?", confirmLabel: "Kick" }} />
 */
export function ActionButton({
  action,
  fields,
  label,
  choice,
  confirm,
  tone = "default",
  testId,
}: {
  action: (previous: ActionResult | null, form: FormData) => Promise<ActionResult>;
  fields: Record<string, string>;
  label: string;
  choice?: ActionChoice;
  confirm?: ActionConfirm;
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
  const questionId = useId();
  const detailId = useId();
  const choiceRef = useRef<HTMLSelectElement>(null);
  const dialogRef = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  // the choice as it was when the dialog opened: the question names it
  const [chosen, setChosen] = useState("");
  const buttonClass = tone === "danger" ? "button-danger" : undefined;

  const ask = () => {
    const select = choiceRef.current;
    setChosen(select?.selectedOptions[0]?.textContent ?? "");
    dialogRef.current?.showModal();
    // the safe answer has the focus, so an Enter pressed out of habit cancels
    cancelRef.current?.focus();
  };

  return (
    <form action={run} className="action-form" onSubmit={() => dialogRef.current?.close()}>
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
            ref={choiceRef}
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
      {confirm ? (
        <>
          <button type="button" className={buttonClass} disabled={pending} data-testid={testId} onClick={ask}>
            {pending ? "Working…" : label}
          </button>
          <dialog
            ref={dialogRef}
            className="confirm-dialog"
            aria-labelledby={questionId}
            aria-describedby={confirm.detail ? detailId : undefined}
          >
            <p id={questionId} className="confirm-question">
              {confirm.question.replace("{choice}", chosen)}
            </p>
            {confirm.detail ? (
              <p id={detailId} className="muted small">
                {confirm.detail}
              </p>
            ) : null}
            <div className="confirm-buttons">
              <button
                type="button"
                ref={cancelRef}
                className="button-secondary"
                onClick={() => dialogRef.current?.close()}
              >
                Cancel
              </button>
              {/* inside the form: this is the button that sends it */}
              <button type="submit" className={buttonClass}>
                {confirm.confirmLabel}
              </button>
            </div>
          </dialog>
        </>
      ) : (
        <button type="submit" className={buttonClass} disabled={pending} data-testid={testId}>
          {pending ? "Working…" : label}
        </button>
      )}
      {result && !report ? (
        <span className={result.ok ? "action-result" : "action-result form-error"} role="status">
          {result.message}
        </span>
      ) : null}
    </form>
  );
}
