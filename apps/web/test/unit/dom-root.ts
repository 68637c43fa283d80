// A React root in jsdom for the component tests of this folder (files that start with
// `// @vitest-environment jsdom`): a fresh one for each test, unmounted after it.
import type { ReactElement } from "react";
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach } from "vitest";

// React warns unless told that this environment runs `act`
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** What a test sees of its root: the container to query and `render`, which waits for effects. */
export interface DomRoot {
  readonly container: HTMLElement;
  render(element: ReactElement): void;
}

/**
 * Registers a fresh root for each test of the calling `describe`.
 *
 * @example
 * const dom = domRoot();
 * it("renders", () => { dom.render(createElement(Panel)); expect(dom.container.textContent).toBe("…"); });
 */
export function domRoot(): DomRoot {
  let container: HTMLElement | undefined;
  let root: Root | undefined;
  beforeEach(() => {
    container = document.createElement("div");
    document.body.append(container);
    root = createRoot(container);
  });
  afterEach(() => {
    act(() => root?.unmount());
    container?.remove();
  });
  return {
    get container() {
      if (!container) throw new Error("domRoot's container exists only inside a test");
      return container;
    },
    render(element) {
      act(() => root?.render(element));
    },
  };
}
