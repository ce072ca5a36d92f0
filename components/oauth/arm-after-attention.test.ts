import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { armAfterAttention, type TAttentionWindow } from "./arm-after-attention";

type TViewState = { visible: boolean; focused: boolean };

// A document stand-in: an EventTarget whose visibility and focus the test sets.
class FakeDocument extends EventTarget {
  constructor(private readonly state: TViewState) {
    super();
  }
  get visibilityState() {
    return this.state.visible ? "visible" : "hidden";
  }
  hasFocus() {
    return this.state.focused;
  }
}

function createView({ visible = true, focused = true } = {}) {
  const state: TViewState = { visible, focused };
  const view: TAttentionWindow = Object.assign(new EventTarget(), { document: new FakeDocument(state) });
  return { view, state };
}

function watch(view: TAttentionWindow) {
  const armed = { current: false };
  const stop = armAfterAttention({ view, delayMs: 500, onArmedChange: (value) => (armed.current = value) });
  return { armed, stop };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("armAfterAttention", () => {
  it("arms only after the focused, visible page has been in front for the delay", () => {
    const { view } = createView();
    const { armed } = watch(view);
    vi.advanceTimersByTime(499);
    expect(armed.current).toBe(false);
    vi.advanceTimersByTime(1);
    expect(armed.current).toBe(true);
  });

  it("stays disarmed while the page is hidden, and counts the delay from when it is shown", () => {
    const { view, state } = createView({ visible: false });
    const { armed } = watch(view);
    vi.advanceTimersByTime(5_000);
    expect(armed.current).toBe(false);

    state.visible = true;
    view.document.dispatchEvent(new Event("visibilitychange"));
    vi.advanceTimersByTime(499);
    expect(armed.current).toBe(false);
    vi.advanceTimersByTime(1);
    expect(armed.current).toBe(true);
  });

  it("stays disarmed while a visible window is not focused, even under a moving pointer", () => {
    // The consent window behind the attacker's popup: the pointer crosses it, no focus, no blur.
    const { view, state } = createView({ focused: false });
    const { armed } = watch(view);
    view.dispatchEvent(new Event("pointermove"));
    vi.advanceTimersByTime(5_000);
    expect(armed.current).toBe(false);

    state.focused = true;
    view.dispatchEvent(new Event("focus"));
    vi.advanceTimersByTime(499);
    expect(armed.current).toBe(false);
    vi.advanceTimersByTime(1);
    expect(armed.current).toBe(true);
  });

  it("gaining focus restarts a delay already running", () => {
    const { view } = createView();
    const { armed } = watch(view);
    vi.advanceTimersByTime(400);
    view.dispatchEvent(new Event("focus"));
    vi.advanceTimersByTime(400);
    expect(armed.current).toBe(false);
    vi.advanceTimersByTime(100);
    expect(armed.current).toBe(true);
  });

  it("gaining focus disarms an armed button and needs the full delay again", () => {
    const { view } = createView();
    const { armed } = watch(view);
    vi.advanceTimersByTime(500);
    expect(armed.current).toBe(true);
    view.dispatchEvent(new Event("focus"));
    expect(armed.current).toBe(false);
    vi.advanceTimersByTime(500);
    expect(armed.current).toBe(true);
  });

  it("disarms when the window loses focus or is hidden, and needs the full delay again", () => {
    const { view, state } = createView();
    const { armed } = watch(view);
    vi.advanceTimersByTime(500);
    expect(armed.current).toBe(true);

    view.dispatchEvent(new Event("blur"));
    expect(armed.current).toBe(false);
    // Brought back to the front under the pointer: the second click of a double click must miss.
    view.dispatchEvent(new Event("focus"));
    vi.advanceTimersByTime(100);
    expect(armed.current).toBe(false);
    vi.advanceTimersByTime(400);
    expect(armed.current).toBe(true);

    state.visible = false;
    view.document.dispatchEvent(new Event("visibilitychange"));
    expect(armed.current).toBe(false);
  });

  it("a blur during the delay restarts it", () => {
    const { view } = createView();
    const { armed } = watch(view);
    vi.advanceTimersByTime(400);
    view.dispatchEvent(new Event("blur"));
    view.dispatchEvent(new Event("focus"));
    vi.advanceTimersByTime(400);
    expect(armed.current).toBe(false);
    vi.advanceTimersByTime(100);
    expect(armed.current).toBe(true);
  });

  it("stops listening once stopped", () => {
    const { view, state } = createView({ focused: false });
    const { armed, stop } = watch(view);
    stop();
    state.focused = true;
    view.dispatchEvent(new Event("focus"));
    view.dispatchEvent(new Event("pointermove"));
    vi.advanceTimersByTime(1_000);
    expect(armed.current).toBe(false);
  });
});
