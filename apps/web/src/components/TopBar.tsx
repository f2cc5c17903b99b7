// The bar above the page on narrow screens: the button that opens the conversations drawer, the
// name, and the connection state (the sidebar that shows it elsewhere is folded away here).
import type { RefObject } from 'react';
import { ConnectionBadge } from './ConnectionBadge.tsx';

export function TopBar(props: {
  menuButton: RefObject<HTMLButtonElement | null>;
  drawerOpen: boolean;
  onMenu: () => void;
}) {
  return (
    <header className="topbar">
      <button
        ref={props.menuButton}
        type="button"
        className="btn btn-small menu-btn"
        aria-expanded={props.drawerOpen}
        aria-controls="sidebar"
        onClick={props.onMenu}
      >
        <span aria-hidden="true">☰</span> Conversations
      </button>
      <span className="brand-name">Querylane</span>
      <ConnectionBadge />
    </header>
  );
}
