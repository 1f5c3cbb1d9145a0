"use client";

import { useCallback, useEffect, useId, useRef, useState } from "react";
import { cn } from "./cn";

/**
 * A long value (an email, a URL, an error message) cut to its column, with the whole value in a
 * tooltip shown on hover and on keyboard focus, dismissed with Escape. A title attribute alone is
 * not enough: keyboard and touch users never see it.
 *
 * By default the text is cut with CSS (one line, or `lines` lines) and the tooltip is offered only
 * while the text is actually cut, so a short value stays plain text and not a tab stop. `children`
 * replaces the shown text (e.g. the value inside a link); with `shortened` they are a shortened
 * form of `text` (the tooltip is then always offered). A
 * child that is itself focusable (a link) makes the wrapper's own tab stop unnecessary
 * (`focusable={false}`): the tooltip follows focus within.
 *
 * The tooltip is positioned against the window (fixed), so a table that scrolls inside its card
 * neither clips it nor grows a scrollbar for it. A CSS-cut value is whole in the DOM already (a
 * screen reader reads all of it), so its tooltip exists only while shown: a hidden copy would be
 * a second match for every search of the page by text. A shortened value keeps its full text in
 * the DOM, tied to it with aria-describedby.
 */
export function TruncatedText({
  text,
  children,
  lines = 1,
  focusable = true,
  shortened = false,
  className,
}: {
  text: string;
  children?: React.ReactNode;
  lines?: 1 | 2 | 3;
  focusable?: boolean;
  shortened?: boolean;
  className?: string;
}) {
  const tipId = `tip-${useId().replace(/[^a-zA-Z0-9_-]/g, "")}`;
  const trigger = useRef<HTMLSpanElement | null>(null);
  const [cut, setCut] = useState(false);
  const [place, setPlace] = useState<React.CSSProperties | null>(null);
  const offered = shortened || cut;

  // Measured after layout and again whenever the column changes width.
  const measure = useCallback((el: HTMLSpanElement | null) => {
    trigger.current = el;
    if (!el) return;
    const check = () => setCut(el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1);
    check();
    const observer = new ResizeObserver(check);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  function show() {
    const el = trigger.current;
    if (!el || !offered) return;
    const r = el.getBoundingClientRect();
    const width = Math.min(448, window.innerWidth - 16);
    const left = Math.max(8, Math.min(r.left, window.innerWidth - 8 - width));
    // Below the value, or above it when the value sits near the bottom of the window.
    const below = r.bottom < window.innerHeight - 120;
    setPlace({ left, maxWidth: width, ...(below ? { top: r.bottom } : { bottom: window.innerHeight - r.top }) });
  }
  const hide = () => setPlace(null);

  // A fixed tooltip would drift from its value when the page or the card scrolls.
  useEffect(() => {
    if (!place) return;
    window.addEventListener("scroll", hide, { capture: true, passive: true });
    return () => window.removeEventListener("scroll", hide, { capture: true });
  }, [place]);

  return (
    <span
      className="block max-w-full"
      onMouseEnter={show}
      onMouseLeave={(e) => {
        if (!e.currentTarget.contains(document.activeElement)) hide();
      }}
      onFocus={show}
      onBlur={hide}
      onKeyDown={(e) => {
        if (e.key === "Escape" && place) {
          e.stopPropagation();
          hide();
        }
      }}
    >
      <span
        ref={measure}
        tabIndex={offered && focusable ? 0 : undefined}
        aria-describedby={shortened || place ? tipId : undefined}
        className={cn(
          "rounded outline-none focus-visible:ring-2 focus-visible:ring-brand-500",
          lines === 1 ? "block truncate" : lines === 2 ? "line-clamp-2 wrap-anywhere" : "line-clamp-3 wrap-anywhere",
          className,
        )}
      >
        {children ?? text}
      </span>
      {(shortened || (offered && place)) && (
        <span
          id={tipId}
          role="tooltip"
          style={place ?? undefined}
          className={cn(
            "fixed z-50 w-max whitespace-pre-wrap rounded-md bg-slate-900 px-2 py-1 text-left text-xs font-normal normal-case tracking-normal text-white shadow-lg wrap-anywhere",
            !place && "hidden",
          )}
        >
          {text}
        </span>
      )}
    </span>
  );
}
