"use client";

import { type ReactNode, useId, useState } from "react";
import { Avatar } from "./avatar";
import type { OnlineUser } from "./online-person";

/** Faces shown on a narrow screen while the list is folded. */
const FACES = 5;

/**
 * On a narrow screen (globals.css, "phones"), the online panel's lists fold
 * into a few faces and one button that unfolds them, so a room of hundreds
 * does not push the chat and its composer thousands of pixels down; wider
 * screens show the lists as they are and never the button.
 *
 * @example
 * <OnlineFold faces={users} label="Show all 2,004">
 *   <OnlineList users={users} selfId={selfId} />
 * </OnlineFold>
 */
export function OnlineFold({
  faces,
  label,
  children,
}: {
  faces: readonly OnlineUser[];
  label: string;
  children: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const body = useId();
  return (
    <div className="online-fold" data-open={open ? "true" : "false"}>
      <button
        type="button"
        className="online-fold-toggle"
        aria-expanded={open}
        aria-controls={body}
        onClick={() => setOpen(!open)}
        data-testid="online-fold"
      >
        <span className="online-faces" aria-hidden="true">
          {faces.slice(0, FACES).map((user) => (
            <Avatar key={user.id} id={user.id} name={user.name} size="sm" />
          ))}
        </span>
        <span>{open ? "Hide the list" : label}</span>
      </button>
      <div id={body} className="online-fold-body">
        {children}
      </div>
    </div>
  );
}
