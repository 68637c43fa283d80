"use client";

import { roomNameProblem } from "@herenow/core";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";

/** Create or enter a room: the name is checked with the party's own rule before going there. */
export function EnterRoomForm() {
  const router = useRouter();
  const [name, setName] = useState("");
  const [problem, setProblem] = useState<string | null>(null);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const room = name.trim();
    const issue = roomNameProblem(room);
    setProblem(issue);
    if (!issue) router.push(`/rooms/${room}`);
  };

  return (
    <form className="enter-room" onSubmit={submit} noValidate>
      <label htmlFor="room-name">Room name</label>
      <div className="field-row">
        <span className="field-prefix" aria-hidden="true">
          #
        </span>
        <input
          id="room-name"
          name="room"
          value={name}
          onChange={(event) => {
            setName(event.target.value);
            if (problem) setProblem(roomNameProblem(event.target.value.trim()));
          }}
          placeholder="lobby"
          maxLength={64}
          autoCapitalize="off"
          autoCorrect="off"
          spellCheck={false}
          aria-invalid={problem ? true : undefined}
          aria-describedby="room-name-help"
        />
        <button type="submit">Enter</button>
      </div>
      <p id="room-name-help" className={problem ? "form-error" : "muted small"} role={problem ? "alert" : undefined}>
        {problem ? `${problem[0]?.toUpperCase()}${problem.slice(1)}.` : "Letters, digits, _ - and . (up to 64)."}
      </p>
    </form>
  );
}
