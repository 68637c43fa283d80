"use client";

import { useState, useTransition } from "react";
import { type AssistantResult, inviteAssistantAction } from "@/app/rooms/[room]/actions";

/**
 * "Invite the assistant": puts the demo's assistant, a member without a
 * socket, into the room for a minute (each click another minute).
 *
 * @example
 * <AssistantButton room="lobby" />
 */
export function AssistantButton({ room }: { room: string }) {
  const [result, setResult] = useState<AssistantResult | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <div className="assistant-invite">
      <button
        type="button"
        className="button-secondary"
        disabled={pending}
        data-testid="invite-assistant"
        onClick={() => startTransition(async () => setResult(await inviteAssistantAction(room)))}
      >
        {pending ? "Inviting…" : "Invite the assistant"}
      </button>
      {result ? (
        <p className="muted small" role="status">
          {result.message}
        </p>
      ) : null}
    </div>
  );
}
