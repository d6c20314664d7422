/** A yes/no question over another dialog: the action runs only on the explicit confirm button. */
import { type ReactNode, useEffect, useRef } from 'react';
import { useAction } from '../state/use-chat';
import { FormError } from './FormError';

export function ConfirmDialog(props: {
  title: string;
  confirm: string;
  children: ReactNode;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}) {
  const { title, confirm, children, onConfirm, onClose } = props;
  const dialog = useRef<HTMLDialogElement>(null);
  const action = useAction();

  useEffect(() => {
    if (dialog.current && !dialog.current.open) dialog.current.showModal();
  }, []);

  const run = () =>
    void action.run(onConfirm).then((ok) => {
      if (ok) dialog.current?.close();
    });

  return (
    <dialog ref={dialog} className="dialog" aria-label={title} onClose={onClose}>
      <h2>{title}</h2>
      {children}
      <FormError error={action.error} />
      <div className="dialog-actions">
        <button type="button" className="primary danger" disabled={action.busy} onClick={run}>
          {confirm}
        </button>
        <button type="button" className="secondary" onClick={() => dialog.current?.close()}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
