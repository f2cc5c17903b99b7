// A modal dialog on the native <dialog>: the browser traps focus and closes it on Esc; this
// gives focus back to the element that had it before opening, wherever the dialog was opened.
import { type ReactNode, useEffect, useId, useRef } from 'react';

export function Modal(props: {
  open: boolean;
  onClose: () => void;
  title: string;
  testId?: string;
  wide?: boolean;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const { open } = props;
  // The latest onClose, without reopening the dialog each time the parent renders a new one.
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog || !open) return;
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.showModal();
    const onCancel = () => onClose.current();
    dialog.addEventListener('close', onCancel);
    return () => {
      dialog.removeEventListener('close', onCancel);
      if (dialog.open) dialog.close();
      // The opener may have been re-rendered away (a virtualised row): only a live one is focused.
      if (before?.isConnected) before.focus();
    };
  }, [open]);

  return (
    <dialog
      ref={ref}
      className={`modal${props.wide ? ' modal-wide' : ''}`}
      aria-labelledby={titleId}
      data-testid={props.testId}
    >
      {open && (
        <>
          <header className="modal-head">
            <h2 id={titleId}>{props.title}</h2>
            <button type="button" className="icon-btn" aria-label="Close" onClick={props.onClose}>
              ×
            </button>
          </header>
          <div className="modal-body">{props.children}</div>
        </>
      )}
    </dialog>
  );
}
