import { createPortal } from 'react-dom';
import { type KeyboardEvent, type ReactNode, useEffect, useId, useRef, useState } from 'react';

/** Open dialogs, innermost last: Escape closes only the top one. */
const stack: symbol[] = [];

interface Props {
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
  /** Shown under the title. */
  subtitle?: ReactNode;
  className?: string;
  /** Close on a click outside. */
  closeOnOutside?: boolean;
  /** The dialog holds typed input not saved yet: Escape, a click outside and × ask
   * "Discard changes?" first (Keep editing is the default). Untouched, they close at once. */
  dirty?: boolean;
}

const FOCUSABLE =
  'input:not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled]), [href], [tabindex]:not([tabindex="-1"])';

export function Dialog({
  title,
  onClose,
  children,
  wide = false,
  subtitle,
  className,
  closeOnOutside = true,
  dirty = false,
}: Props) {
  const panel = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const [confirming, setConfirming] = useState(false);
  // Escape is handled by a listener made once: it reads the latest props through a ref.
  const closeRef = useRef(() => {
    onClose();
  });

  useEffect(() => {
    closeRef.current = () => {
      if (dirty) setConfirming(true);
      else onClose();
    };
  }, [onClose, dirty]);

  useEffect(() => {
    const me = Symbol('dialog');
    stack.push(me);
    // The window behind is inert while a dialog is open: no focus, no clicks, nothing of
    // it (a pane's scrollbar included) drawn over the dialog, which lives outside it.
    const app = document.getElementById('root');
    app?.setAttribute('inert', '');
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const el = panel.current;
    const first =
      el?.querySelector<HTMLElement>('[data-autofocus]') ?? el?.querySelector<HTMLElement>(FOCUSABLE);
    (first ?? el)?.focus();
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key === 'Escape' && stack[stack.length - 1] === me) {
        e.preventDefault();
        e.stopPropagation();
        closeRef.current();
      }
    };
    document.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('keydown', onKey, true);
      stack.splice(stack.indexOf(me), 1);
      if (stack.length === 0) app?.removeAttribute('inert');
      if (before?.isConnected) before.focus();
    };
  }, []);

  // Keep Tab inside the dialog.
  const trap = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'Tab' || !panel.current || e.defaultPrevented) return;
    // A dialog opened over this one (rendered in a portal) keeps its own Tab.
    if (!panel.current.contains(document.activeElement)) return;
    const items = [...panel.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };

  return createPortal(
    <div
      className="overlay"
      onMouseDown={(e) => {
        if (closeOnOutside && e.target === e.currentTarget) closeRef.current();
      }}
    >
      <div
        ref={panel}
        className={`dialog${wide ? ' dialog-wide' : ''}${className ? ` ${className}` : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        onKeyDown={trap}
      >
        <header className="dialog-head">
          <div>
            <h2 id={titleId}>{title}</h2>
            {subtitle !== undefined && <p className="dialog-sub">{subtitle}</p>}
          </div>
        </header>
        {children}
        <button
          type="button"
          className="icon-button dialog-close"
          aria-label="Close"
          onClick={() => {
            closeRef.current();
          }}
        >
          ×
        </button>
      </div>
      {confirming &&
        createPortal(
          <Dialog
            title="Discard changes?"
            className="dialog-confirm"
            onClose={() => {
              setConfirming(false);
            }}
          >
            <div className="dialog-body">
              <p>What you typed here has not been saved and will be lost.</p>
            </div>
            <footer className="dialog-foot dialog-foot-bar">
              <button
                type="button"
                className="danger"
                onClick={() => {
                  setConfirming(false);
                  onClose();
                }}
              >
                Discard
              </button>
              <button
                type="button"
                className="primary"
                data-autofocus
                onClick={() => {
                  setConfirming(false);
                }}
              >
                Keep editing
              </button>
            </footer>
          </Dialog>,
          document.body,
        )}
    </div>,
    document.body,
  );
}
