// One place that speaks to screen readers: a polite region for completions and an assertive one
// for failures. They live at the page's root, so a message survives its card scrolling out of the
// virtualised thread, and writing to them re-renders nothing.
import { createContext, type ReactNode, useContext, useMemo, useRef } from 'react';

export type Announce = (message: string, urgency?: 'polite' | 'assertive') => void;

const AnnouncerContext = createContext<Announce>(() => {});

export function useAnnounce(): Announce {
  return useContext(AnnouncerContext);
}

export function Announcer(props: { children: ReactNode }) {
  const polite = useRef<HTMLDivElement>(null);
  const assertive = useRef<HTMLDivElement>(null);
  const announce = useMemo<Announce>(
    () =>
      (message, urgency = 'polite') => {
        const region = (urgency === 'assertive' ? assertive : polite).current;
        if (!region) return;
        // Emptied first, then written on the next frame: the same words twice are still read.
        region.textContent = '';
        requestAnimationFrame(() => {
          region.textContent = message;
        });
      },
    [],
  );
  return (
    <AnnouncerContext.Provider value={announce}>
      {props.children}
      <div
        className="sr-only"
        role="status"
        aria-live="polite"
        data-testid="announce-polite"
        ref={polite}
      />
      <div
        className="sr-only"
        role="alert"
        aria-live="assertive"
        data-testid="announce-alert"
        ref={assertive}
      />
    </AnnouncerContext.Provider>
  );
}
