const INPUT_EVENTS = ["pointerdown", "pointermove", "keydown", "wheel", "touchstart"] as const;

/**
 * Calls `onChange(true)` after `afterMs` without pointer or key input and
 * `onChange(false)` on the next input. Input only stamps a time, so a
 * stream of pointer moves costs no timers. Returns the stop function.
 */
export function watchIdle(afterMs: number, onChange: (idle: boolean) => void): () => void {
  let last = Date.now();
  let idle = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = () => {
    const quiet = Date.now() - last;
    if (quiet < afterMs) {
      timer = setTimeout(check, afterMs - quiet);
      return;
    }
    idle = true;
    onChange(true);
  };
  const onInput = () => {
    last = Date.now();
    if (!idle) return;
    idle = false;
    onChange(false);
    timer = setTimeout(check, afterMs);
  };
  for (const type of INPUT_EVENTS) window.addEventListener(type, onInput, { capture: true, passive: true });
  timer = setTimeout(check, afterMs);
  return () => {
    clearTimeout(timer);
    for (const type of INPUT_EVENTS) window.removeEventListener(type, onInput, { capture: true });
  };
}
