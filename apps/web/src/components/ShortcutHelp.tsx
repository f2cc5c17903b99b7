// The `?` dialog: every keyboard shortcut in one list. A native modal dialog keeps focus inside
// while it is open; closing it (Esc, the button) puts focus back where it was.
import { SHORTCUTS } from '../use-shortcuts.ts';
import { Modal } from './Modal.tsx';

export function ShortcutHelp(props: { open: boolean; onClose: () => void }) {
  return (
    <Modal
      open={props.open}
      onClose={props.onClose}
      title="Keyboard shortcuts"
      testId="shortcut-help"
    >
      <dl className="shortcut-list">
        {SHORTCUTS.map((s) => (
          <div key={s.does} className="shortcut-row">
            <dt>
              {s.keys.map((k, i) => (
                <span key={k}>
                  {i > 0 && ' + '}
                  <kbd>{k}</kbd>
                </span>
              ))}
            </dt>
            <dd>{s.does}</dd>
          </div>
        ))}
      </dl>
    </Modal>
  );
}
