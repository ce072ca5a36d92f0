// The guard of the consent page's Approve button against DoubleClickjacking: a page asks for a double
// click and, between the two clicks, brings the consent window up under the pointer, so the second
// click lands on Approve before the user could see it. The button is armed only once the page has
// been visible, and had the focus or the pointer, for `delayMs` without interruption; hiding the page
// or leaving its window disarms it again. (Framing is refused separately; this covers whole windows.)

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
  // Attention: the page is visible and either focused or under a moving pointer.
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
  const onVisibilityChange = () => {
    if (view.document.visibilityState === "visible") attendIfFocused();
    else disarm();
  };

  view.document.addEventListener("visibilitychange", onVisibilityChange);
  view.addEventListener("focus", attend);
  view.addEventListener("blur", disarm);
  view.addEventListener("pointermove", attend);
  attendIfFocused();

  return () => {
    clearTimeout(timer);
    view.document.removeEventListener("visibilitychange", onVisibilityChange);
    view.removeEventListener("focus", attend);
    view.removeEventListener("blur", disarm);
    view.removeEventListener("pointermove", attend);
  };
}
