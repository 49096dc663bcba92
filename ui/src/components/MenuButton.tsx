import { type KeyboardEvent, type ReactNode, useEffect, useId, useRef, useState } from 'react';

export interface MenuChoice<K extends string> {
  key: K;
  label: string;
}

interface Props<K extends string> {
  /** The button's text. */
  children: ReactNode;
  /** The button's accessible name, when its text is not enough ("Snooze Stripe"). */
  label?: string;
  choices: readonly MenuChoice<K>[];
  onPick: (key: K) => void;
  /** With a value, the choices are radio items and this one is checked. */
  value?: K;
  disabled?: boolean;
  className?: string;
  testId?: string;
}

/** A button that opens a small menu of choices: arrow keys move, Enter picks, Escape or a
 * click outside closes (focus goes back to the button). */
export function MenuButton<K extends string>({ children, label, choices, onPick, value, disabled, className, testId }: Props<K>) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menuId = useId();

  useEffect(() => {
    if (!open) return;
    const first =
      box.current?.querySelector<HTMLElement>('[aria-checked="true"]') ??
      box.current?.querySelector<HTMLElement>('[role^="menuitem"]');
    first?.focus();
    const outside = (e: MouseEvent) => {
      if (box.current && e.target instanceof Node && !box.current.contains(e.target)) setOpen(false);
    };
    document.addEventListener('mousedown', outside);
    return () => {
      document.removeEventListener('mousedown', outside);
    };
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };

  const onMenuKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const items = [...(box.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]') ?? [])];
    const at = items.findIndex((el) => el === document.activeElement);
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = (at + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
      items[next]?.focus();
    } else if (e.key === 'Tab') {
      setOpen(false);
    }
  };

  return (
    <div className={`menu-anchor${className ? ` ${className}` : ''}`} ref={box}>
      <button
        ref={button}
        type="button"
        className="small"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={label}
        disabled={disabled}
        data-testid={testId}
        onClick={() => {
          setOpen((o) => !o);
        }}
      >
        {children} <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <div className="menu-pop" role="menu" id={menuId} aria-label={label} onKeyDown={onMenuKey}>
          {choices.map((c) => (
            <button
              key={c.key}
              type="button"
              role={value === undefined ? 'menuitem' : 'menuitemradio'}
              aria-checked={value === undefined ? undefined : value === c.key}
              tabIndex={-1}
              onClick={() => {
                close();
                onPick(c.key);
              }}
            >
              {value !== undefined && (
                <span className="menu-check" aria-hidden="true">
                  {value === c.key ? '✓' : ''}
                </span>
              )}
              {c.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
