// Whether a CSS media query matches now, kept current as the window is resized or turned.
import { useSyncExternalStore } from 'react';

export const NARROW = '(max-width: 767px)';
export const WIDE = '(min-width: 1001px)';

export function useMedia(query: string): boolean {
  return useSyncExternalStore(
    (onChange) => {
      const list = window.matchMedia(query);
      list.addEventListener('change', onChange);
      return () => list.removeEventListener('change', onChange);
    },
    () => window.matchMedia(query).matches,
  );
}
