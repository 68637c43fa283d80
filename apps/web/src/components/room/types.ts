/** The custom presence state the chat sets: typing from the composer, idle from the hook's idle watch. */
export interface ChatPresenceState {
  typing: boolean;
  idle: boolean;
}
