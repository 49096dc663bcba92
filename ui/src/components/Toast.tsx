import { useEffect, useState } from 'react';

export interface ToastData {
  /** Changes for every new toast (restarts the countdown). */
  key: number;
  what: string;
  /** Seconds until the clipboard is cleared; null = never. */
  clearAfter: number | null;
  /** A 2FA code: "Copied 2FA code · clears in 30 s". */
  otp?: boolean;
}

/** "Copied — clipboard clears in 30 s", counting down. */
export function CopyToast({ toast, onDone }: { toast: ToastData; onDone: () => void }) {
  const [left, setLeft] = useState(toast.clearAfter);

  useEffect(() => {
    const start = Date.now();
    const total = toast.clearAfter;
    const timer = setInterval(() => {
      const elapsed = Math.floor((Date.now() - start) / 1000);
      if (total === null) {
        if (elapsed >= 4) onDone();
        return;
      }
      const remaining = total - elapsed;
      setLeft(Math.max(0, remaining));
      if (remaining <= -2) onDone();
    }, 250);
    return () => {
      clearInterval(timer);
    };
  }, [toast, onDone]);

  let text: string;
  if (toast.clearAfter === null) text = `${toast.what} copied — the clipboard is not cleared automatically`;
  else if (left !== null && left > 0) text = `Copied ${toast.what} · clears in ${String(left)} s`;
  else text = 'Clipboard cleared';

  return (
    <div className="toast" role="status" data-testid="toast">
      <span>{text}</span>
      {toast.clearAfter !== null && left !== null && left > 0 && (
        <span className="toast-bar" aria-hidden="true">
          <span style={{ transform: `scaleX(${String(left / toast.clearAfter)})` }} />
        </span>
      )}
      <button type="button" className="icon-button" aria-label="Dismiss" onClick={onDone}>
        ×
      </button>
    </div>
  );
}
