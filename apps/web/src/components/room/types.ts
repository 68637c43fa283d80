/** The custom presence state the chat sets: typing from the composer, status from the hook's idle watch. */
export interface ChatPresenceState {
  typing: boolean;
  status: "active" | "idle";
}
