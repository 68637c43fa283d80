/** "Ann is typing…", "Ann and Bo are typing…", "4 people are typing…"; an empty line keeps the layout still. */
export function TypingIndicator({ names }: { names: string[] }) {
  let text = "";
  if (names.length === 1) text = `${names[0]} is typing…`;
  else if (names.length === 2) text = `${names[0]} and ${names[1]} are typing…`;
  else if (names.length > 2) text = `${names.length} people are typing…`;
  return (
    <p className="typing" data-testid="typing" aria-live="polite">
      {text}
    </p>
  );
}
