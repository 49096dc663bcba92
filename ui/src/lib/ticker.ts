import { type RefObject, useEffect } from 'react';

interface SecondTimer {
  /** Rust's clock (Unix seconds, fractional). */
  clock: () => number;
  /** Called at each of Rust's whole seconds with that second. */
  advance: (n: number) => void;
  /** Reads again from Rust: when `nextRead` is due, and when the window is shown again. */
  read: () => unknown;
  /** The second from which the next read is due. */
  nextRead: RefObject<number>;
  /** Read again too when the window gets the focus. */
  readOnFocus?: boolean;
}

/** One timer at each of Rust's seconds; none while the window is hidden. */
export function useSecondTimer({ clock, advance, read, nextRead, readOnFocus = false }: SecondTimer): void {
  useEffect(() => {
    let timer: number | undefined;
    const schedule = () => {
      const t = clock();
      timer = window.setTimeout(tick, Math.max(20, (Math.floor(t) + 1 - t) * 1000 + 10));
    };
    const tick = () => {
      timer = undefined;
      if (document.hidden) return;
      const n = Math.floor(clock());
      advance(n);
      if (n >= nextRead.current) void read();
      schedule();
    };
    const onVisibility = () => {
      if (document.hidden) {
        window.clearTimeout(timer);
        timer = undefined;
      } else {
        void read();
        if (timer === undefined) schedule();
      }
    };
    const onFocus = () => {
      void read();
    };
    if (!document.hidden) schedule();
    document.addEventListener('visibilitychange', onVisibility);
    if (readOnFocus) window.addEventListener('focus', onFocus);
    return () => {
      window.clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
      if (readOnFocus) window.removeEventListener('focus', onFocus);
    };
  }, [advance, clock, nextRead, read, readOnFocus]);
}
