import type { CSSProperties } from "react";
import { hue, initials } from "@/lib/avatar";

/** A round avatar with the user's initials on a colour of their own. */
export function Avatar({ id, name, size = "md" }: { id: string; name: string; size?: "sm" | "md" }) {
  return (
    <span className={`avatar avatar-${size}`} style={{ "--avatar-hue": hue(id) } as CSSProperties} aria-hidden="true">
      {initials(name)}
    </span>
  );
}
