"use client";

import { createContext, type ReactNode, useContext, useState } from "react";
import type { ActionResult } from "@/app/admin/actions";

const Report = createContext<((result: ActionResult) => void) | null>(null);

/**
 * One answer line for the action buttons inside it. A button's answer
 * cannot stay next to the button when the action removes the button's own
 * row (a kicked connection leaves the table as the page refreshes), so
 * buttons inside this report here, above the rows, instead.
 *
 * @example
 * <ActionStatus><table>…<ActionButton action={kickAction} … /></table></ActionStatus>
 */
export function ActionStatus({ children }: { children: ReactNode }) {
  const [result, setResult] = useState<ActionResult | null>(null);
  return (
    <Report value={setResult}>
      <p className={result?.ok === false ? "action-status form-error" : "action-status"} role="status">
        {result?.message}
      </p>
      {children}
    </Report>
  );
}

/**
 * Where an action button inside an `<ActionStatus>` reports its answer, or `null` outside one.
 *
 * @example
 * const report = useActionReport();
 */
export function useActionReport(): ((result: ActionResult) => void) | null {
  return useContext(Report);
}
