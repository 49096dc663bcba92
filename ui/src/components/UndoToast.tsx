import { useCallback, useEffect, useRef, useState } from 'react';

/** How long the Undo stays offered. */
export const UNDO_MS = 8000;

export interface UndoToastProps {
  /** What happened: "Moved “Stripe” to Trash". */
  message: string;
  /** Undo it (e.g. restore the item) and report its own errors; the toast closes when it
   * settles. */
  onUndo: () => Promise<void> | void;
  /** The toast is gone (timed out, dismissed, or undone). */
  onDone: () => void;
  /** Milliseconds before it goes by itself (default 8 s). */
  timeoutMs?: number;
}

/** "Moved “X” to Trash · Undo", for a few seconds after a delete. Ctrl/⌘+Z undoes too
 * (not while typing in a field: that is the field's own undo). */
export function UndoToast({ message, onUndo, onDone, timeoutMs = UNDO_MS }: UndoToastProps) {
  const [busy, setBusy] = useState(false);
  const done = useRef(onDone);
  const undo = useRef(onUndo);
  const busyRef = useRef(false);

  useEffect(() => {
    done.current = onDone;
    undo.current = onUndo;
  }, [onDone, onUndo]);

  useEffect(() => {
    const timer = setTimeout(() => {
      if (!busyRef.current) done.current();
    }, timeoutMs);
    return () => {
      clearTimeout(timer);
    };
  }, [timeoutMs, message]);

  const run = useCallback(async () => {
    if (busyRef.current) return;
    busyRef.current = true;
    setBusy(true);
    try {
      await undo.current();
    } catch {
      // onUndo shows its own errors; the toast just closes.
    } finally {
      busyRef.current = false;
      setBusy(false);
      done.current();
    }
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key.toLowerCase() !== 'z' || !(e.ctrlKey || e.metaKey) || e.shiftKey || e.altKey) return;
      const t = e.target;
      if (t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return;
      e.preventDefault();
      void run();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
    };
  }, [run]);

  return (
    <div className="toast undo-toast" role="status" data-testid="undo-toast">
      <span className="undo-toast-text">{message}</span>
      <button
        type="button"
        className="undo-toast-button"
        disabled={busy}
        onClick={() => {
          void run();
        }}
      >
        Undo
      </button>
      <button type="button" className="icon-button" aria-label="Dismiss" onClick={onDone}>
        ×
      </button>
      <span className="toast-bar undo-toast-bar" aria-hidden="true">
        <span style={{ animationDuration: `${String(timeoutMs)}ms` }} />
      </span>
    </div>
  );
}
