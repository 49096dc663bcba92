import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { OtpCode } from '../bindings/OtpCode';
import { type Copied, hotpNext, type IpcError, otpCodes, otpCopy, type OtpCodes, toIpcError } from '../lib/ipc';
import { type ClockFix, fixClock, indexCodes, offsetOf, refreshAt, searchCodes } from '../lib/otp';
import { useSecondTimer } from '../lib/ticker';
import { CodeGrid, type FocusRequest, type Generated } from './CodeGrid';
import { Icon } from './Icons';

interface Props {
  query: string;
  onClearQuery: () => void;
  /** Changes after an import (or any change of the 2FA items): read the codes again. */
  version: number;
  /** "Show in Codes": the card to focus once the codes are shown. */
  focus: FocusRequest | null;
  onImport: () => void;
  onAddItem: () => void;
  onCopied: (c: Copied) => void;
  onError: (e: IpcError) => void;
  /** Up from the first row of cards. */
  onLeaveTop: () => void;
}

/** Seconds to wait before asking again after a failed read. */
const RETRY_AFTER_S = 30;

function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/**
 * The 2FA codes of the vault, live. Rust's clock is the truth: each read gives Rust's `now`,
 * the offset to the window's clock is narrowed (fixClock), and a single timer, aligned to
 * Rust's seconds,
 * moves the countdown; the codes are read again when a shown period ends, when the window
 * regains focus or becomes visible, and after an import. The timer stops while the window
 * is hidden and when the view is left.
 */
export function CodesView({ query, onClearQuery, version, focus, onImport, onAddItem, onCopied, onError, onLeaveTop }: Props) {
  const [data, setData] = useState<OtpCodes | null>(null);
  const [now, setNow] = useState(0);
  const [reads, setReads] = useState(0);
  const [generated, setGenerated] = useState<ReadonlyMap<string, Generated>>(() => new Map());
  const [busy, setBusy] = useState<ReadonlySet<string>>(() => new Set());
  /** Rust's clock minus the window's, as narrowed by the reads so far. */
  const fix = useRef<ClockFix | null>(null);
  const nextRead = useRef(Infinity);
  const reading = useRef(false);
  const readAgain = useRef(false);
  const live = useRef(true);
  /** Asked again while a read was under way (a fresh read must follow). */
  const again = useCallback(() => readAgain.current, []);

  /** Rust's clock (Unix seconds, fractional). */
  const clock = useCallback(() => Date.now() / 1000 + offsetOf(fix.current), []);
  /** The shown second never goes back (a correction of the offset must not show an old
   * code again). */
  const advanceTo = useCallback((n: number) => {
    setNow((prev) => Math.max(prev, n));
  }, []);

  const read = useCallback(async () => {
    if (reading.current) {
      readAgain.current = true;
      return;
    }
    reading.current = true;
    try {
      for (;;) {
        readAgain.current = false;
        const t0 = Date.now();
        try {
          const d = await otpCodes();
          if (!live.current) return;
          fix.current = fixClock(fix.current, d.now, t0, Date.now());
          // Read too early (the guess ran ahead of Rust), the codes still end at or before
          // the shown second: the next tick reads again, and the shown code is already the
          // next one (phaseAt).
          nextRead.current = refreshAt(d.codes);
          setData(d);
          setReads((r) => r + 1);
          advanceTo(Math.floor(clock()));
        } catch (e) {
          if (!live.current) return;
          nextRead.current = Math.floor(clock()) + RETRY_AFTER_S;
          onError(toIpcError(e));
        }
        if (!again()) break;
      }
    } finally {
      reading.current = false;
    }
  }, [advanceTo, again, clock, onError]);

  useEffect(() => {
    live.current = true;
    void read();
    return () => {
      live.current = false;
    };
  }, [read, version]);

  // One timer for the whole view, at each of Rust's seconds; a read too on focus.
  useSecondTimer({ clock, advance: advanceTo, read, nextRead, readOnFocus: true });

  const codes = useMemo(() => data?.codes ?? [], [data]);
  const index = useMemo(() => indexCodes(codes), [codes]);
  const shown = useMemo(() => searchCodes(index, query), [index, query]);

  const activate = useCallback(
    async (c: OtpCode) => {
      if (busy.has(c.id)) return;
      setBusy((b) => new Set(b).add(c.id));
      try {
        if (c.otp_type === 'hotp') {
          const h = await hotpNext(c.id, true);
          if (!live.current) return;
          setGenerated((g) => new Map(g).set(c.id, { code: h.code, counter: h.counter }));
          if (h.copied) onCopied(h.copied);
        } else {
          onCopied(await otpCopy(c.id));
        }
      } catch (e) {
        if (live.current) onError(toIpcError(e));
      } finally {
        if (live.current) {
          setBusy((b) => {
            const n = new Set(b);
            n.delete(c.id);
            return n;
          });
        }
      }
    },
    [busy, onCopied, onError],
  );
  // The cards keep one callback (they are memoised); it reads the latest state.
  const activateRef = useRef(activate);
  useEffect(() => {
    activateRef.current = activate;
  }, [activate]);
  const onActivate = useCallback((c: OtpCode) => {
    void activateRef.current(c);
  }, []);

  const q = query.trim();
  return (
    <section className="codes" aria-label="2FA codes">
      <div className="codes-head">
        <h2>2FA codes</h2>
        <span className="muted" data-testid="codes-count">
          {data === null
            ? ''
            : q !== ''
              ? `${shown.length.toLocaleString()} of ${count(codes.length, 'code')}`
              : count(codes.length, 'code')}
        </span>
        {data !== null && data.damaged > 0 && (
          <span className="codes-damaged" role="note">
            {count(data.damaged, '2FA item')} failed {data.damaged === 1 ? 'its' : 'their'} integrity check
          </span>
        )}
        <button type="button" className="codes-import" onClick={onImport}>
          <Icon name="import" /> Import…
        </button>
      </div>
      {data === null ? (
        <p className="muted pad">Loading codes…</p>
      ) : codes.length === 0 ? (
        <div className="empty">
          <p>No 2FA codes yet</p>
          <p className="muted">Import from Aegis, 2FAS, Ente, Google Authenticator or a QR code.</p>
          <button type="button" className="primary big" onClick={onImport}>
            <Icon name="import" /> Import 2FA codes
          </button>
          <button type="button" className="small" onClick={onAddItem}>
            or add one by hand
          </button>
        </div>
      ) : shown.length === 0 ? (
        <div className="empty">
          <p>No codes match “{q}”</p>
          <button type="button" onClick={onClearQuery}>
            Clear search
          </button>
        </div>
      ) : (
        <CodeGrid
          codes={shown}
          now={now}
          generated={generated}
          busy={busy}
          onActivate={onActivate}
          resetKey={query}
          focus={focus}
          generation={reads}
          onLeaveTop={onLeaveTop}
        />
      )}
    </section>
  );
}
