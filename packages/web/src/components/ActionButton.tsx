/** A button that runs an action: off while that action (or a sibling sharing its busy flag) runs. */
import type { ReactNode } from 'react';

export function ActionButton(props: {
  kind: string;
  busy: boolean;
  /** The accessible name, when the visible text alone does not say whom it is about. */
  label?: string;
  onClick: () => void;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className={props.kind}
      disabled={props.busy}
      aria-label={props.label}
      onClick={props.onClick}
    >
      {props.children}
    </button>
  );
}
