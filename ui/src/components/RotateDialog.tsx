import { type SubmitEvent, useId, useState } from 'react';
import type { ItemSummary } from '../bindings/ItemSummary';
import { formatDate, formatDateTime, nowSeconds, VALUE_LABEL, inSentence } from '../lib/format';
import { type ItemDetail, itemRotate, toIpcError } from '../lib/ipc';
import { Dialog } from './Dialog';

const DAY = 86400;

/** The grace periods offered; 7 days first. */
export const GRACE_CHOICES = [
  { days: 0, label: 'None' },
  { days: 1, label: '1 day' },
  { days: 7, label: '7 days' },
  { days: 30, label: '30 days' },
] as const;
export const DEFAULT_GRACE_DAYS = 7;

export interface RotateTarget {
  id: string;
  name: string;
  kind: ItemSummary['kind'];
  /** The rotation period, when known (the detail has it): the dialog says when the next
   * reminder comes. */
  rotate_every_days?: number | null;
  /** The expiry date the user set, when known: one that has passed is cleared by the
   * rotation (it was the old value's), and the dialog says so. */
  manual_expires_at?: number | null;
}

interface Props {
  item: RotateTarget;
  onClose: () => void;
  /** After the rotation, with the item as Rust now has it. */
  onRotated: (detail: ItemDetail) => void;
}

/** "Mark rotated": the new value (masked), how long the old one stays readable, and what
 * will happen, said before it does. The value goes to Rust and is dropped from the form. */
export function RotateDialog({ item, onClose, onRotated }: Props) {
  const [value, setValue] = useState('');
  const [grace, setGrace] = useState<number>(DEFAULT_GRACE_DAYS);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ value?: string | undefined; grace?: string; other?: string }>({});
  const [confirmDiscard, setConfirmDiscard] = useState(false);
  const id = useId();
  const label = VALUE_LABEL[item.kind];
  const now = nowSeconds();

  // A typed value is not thrown away by Escape or the close button without asking.
  const close = () => {
    if (value !== '' && !busy) setConfirmDiscard(true);
    else onClose();
  };

  const submit = async (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (value.trim() === '') {
      setErrors({ value: `Enter the new ${inSentence(label)} the service gave you.` });
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      const detail = await itemRotate(item.id, value, grace);
      setValue('');
      onRotated(detail);
    } catch (err) {
      const e2 = toIpcError(err);
      if (e2.field === 'value') setErrors({ value: e2.message });
      else if (e2.field === 'grace_days') setErrors({ grace: e2.message });
      else setErrors({ other: e2.message });
      setBusy(false);
    }
  };

  const until = now + grace * DAY;
  const every = item.rotate_every_days ?? null;
  return (
    <Dialog title="Mark rotated" subtitle={item.name} onClose={close} closeOnOutside={false} className="rotate-dialog">
      <form onSubmit={(e) => void submit(e)} data-testid="rotate-dialog">
        <div className="dialog-body">
          <div className="field">
            <label className="field-label" htmlFor={`${id}-value`}>
              New {inSentence(label)}
            </label>
            <input
              id={`${id}-value`}
              type="password"
              autoComplete="off"
              spellCheck={false}
              data-autofocus
              value={value}
              aria-invalid={errors.value !== undefined}
              aria-describedby={`${id}-value-msg`}
              onChange={(e) => {
                setValue(e.target.value);
                if (errors.value !== undefined) setErrors((x) => ({ ...x, value: undefined }));
              }}
            />
            {errors.value !== undefined ? (
              <span id={`${id}-value-msg`} className="field-error" role="alert">
                {errors.value}
              </span>
            ) : (
              <span id={`${id}-value-msg`} className="field-hint">
                Create it with the service first; Keywright switches to it now.
              </span>
            )}
          </div>
          <fieldset className="field rotate-grace">
            <legend className="field-label">Keep the current value readable for</legend>
            <div className="rotate-grace-choices">
              {GRACE_CHOICES.map((c) => (
                <label key={c.days} className="check">
                  <input
                    type="radio"
                    name={`${id}-grace`}
                    value={c.days}
                    checked={grace === c.days}
                    onChange={() => {
                      setGrace(c.days);
                    }}
                  />
                  <span>{c.label}</span>
                </label>
              ))}
            </div>
            {errors.grace !== undefined && (
              <span className="field-error" role="alert">
                {errors.grace}
              </span>
            )}
          </fieldset>
          <div className="rotate-summary" data-testid="rotate-summary" aria-live="polite">
            <p>
              {grace === 0
                ? `The current ${inSentence(label)} is deleted now: anything still using it stops working.`
                : `The current ${inSentence(label)} stays readable (Reveal, Copy) until ${formatDateTime(until)}, for services still using it, then it is deleted.`}
            </p>
            {item.manual_expires_at != null && item.manual_expires_at <= now && (
              <p>
                {`Its expiry date, ${formatDate(item.manual_expires_at)}, has passed and is cleared (it was the old value's); set the new one with Edit if the service gave one.`}
              </p>
            )}
            <p>
              {every !== null && every > 0
                ? `The next rotation reminder moves to ${formatDate(now + every * DAY)}.`
                : 'The rotation reminder, if one is set, restarts from today.'}
            </p>
          </div>
          {errors.other !== undefined && (
            <p className="banner banner-error" role="alert">
              {errors.other}
            </p>
          )}
          {confirmDiscard && (
            <div className="banner banner-warn" role="alertdialog" aria-label="Discard the new value?">
              <span>Discard the new value you typed?</span>
              <button
                type="button"
                className="small"
                onClick={() => {
                  setConfirmDiscard(false);
                }}
              >
                Keep editing
              </button>
              <button type="button" className="small danger" onClick={onClose}>
                Discard
              </button>
            </div>
          )}
        </div>
        <footer className="dialog-foot dialog-foot-bar">
          <button type="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Saving…' : 'Mark rotated'}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
