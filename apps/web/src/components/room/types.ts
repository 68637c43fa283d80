/** The custom presence state the chat sets: typing from the composer (idle and hidden are each user's `status`). */
export interface ChatPresenceState {
  typing: boolean;
}
