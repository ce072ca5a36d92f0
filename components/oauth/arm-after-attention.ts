// The guard of the consent page's Approve button against DoubleClickjacking: a page asks for a double
// click and, between the two clicks, brings the consent window up under the pointer, so the second
// click lands on Approve before the user could see it. The button is armed only once the page has
// been visible and focused for `delayMs` without interruption; hiding the page or leaving its window
// disarms it again. (Framing is refused separately; this covers whole windows.)
// The pointer alone never arms it: a window behind the attacker's popup gets `pointermove` events as the
// pointer crosses it, without focus and without a later blur, so the popup closing on mousedown would
// leave the second click on an armed Approve. Gaining focus always restarts the delay for the same reason.

/** The parts of `window` the guard listens to, so tests can drive it with plain EventTargets. */
export type TAttentionWindow = EventTarget & {
  document: EventTarget & { visibilityState: string; hasFocus(): boolean };
};

type TArmAfterAttentionOptions = {
  view: TAttentionWindow;
  delayMs: number;
  onArmedChange: (armed: boolean) => void;
};

/** Starts watching; returns the function that stops it. */
export function armAfterAttention({ view, delayMs, onArmedChange }: TArmAfterAttentionOptions): () => void {
  let armed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const setArmed = (value: boolean) => {
    if (armed === value) return;
    armed = value;
    onArmedChange(value);
  };
  const disarm = () => {
    clearTimeout(timer);
    timer = undefined;
    setArmed(false);
  };
  // Attention: the page is visible (callers check focus, or are the focus event itself).
  const attend = () => {
    if (armed || timer !== undefined || view.document.visibilityState !== "visible") return;
    timer = setTimeout(() => {
      timer = undefined;
      setArmed(true);
    }, delayMs);
  };
  const attendIfFocused = () => {
    if (view.document.hasFocus()) attend();
  };
  const onFocus = () => {
    disarm();
    attend();
  };
  const onVisibilityChange = () => {
    if (view.document.visibilityState === "visible") attendIfFocused();
    else disarm();
  };

  view.document.addEventListener("visibilitychange", onVisibilityChange);
  view.addEventListener("focus", onFocus);
  view.addEventListener("blur", disarm);
  view.addEventListener("pointermove", attendIfFocused);
  attendIfFocused();

  return () => {
    clearTimeout(timer);
    view.document.removeEventListener("visibilitychange", onVisibilityChange);
    view.removeEventListener("focus", onFocus);
    view.removeEventListener("blur", disarm);
    view.removeEventListener("pointermove", attendIfFocused);
  };
}
