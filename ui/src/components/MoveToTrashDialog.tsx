import type { Kind } from '../bindings/Kind';
import { KIND_LABEL } from '../lib/format';
import { Dialog } from './Dialog';

export interface MoveToTrashDialogProps {
  item: { name: string; kind: Kind };
  /** Days an item stays in the Trash. */
  keepDays?: number;
  /** The delete is under way (the button waits). */
  busy?: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}

/** The delete confirmation: the item goes to the Trash, restorable for 30 days. */
export function MoveToTrashDialog({ item, keepDays = 30, busy = false, onCancel, onConfirm }: MoveToTrashDialogProps) {
  return (
    <Dialog title={`Delete “${item.name}”?`} onClose={onCancel}>
      <div className="dialog-body">
        <p>
          <strong>{item.name}</strong> ({KIND_LABEL[item.kind]}) moves to the Trash. You can restore it, with its history,
          for {keepDays} days; then it is deleted for good with its secrets.
        </p>
        <footer className="dialog-foot">
          <button type="button" data-autofocus="" onClick={onCancel}>
            Cancel
          </button>
          <button type="button" className="danger-solid" disabled={busy} onClick={onConfirm}>
            Move to Trash
          </button>
        </footer>
      </div>
    </Dialog>
  );
}
