import { useCallback, useEffect, useRef, useState } from 'react';
import type { OtpCode } from '../bindings/OtpCode';
import type { OtpType } from '../bindings/OtpType';
import { type Copied, hotpNext, type IpcError, otpCode, otpCopy, toIpcError } from '../lib/ipc';
import { type ClockFix, fixClock, groupOtp, NEXT_CODE_SECONDS, offsetOf, phaseAt } from '../lib/otp';
import { useSecondTimer } from '../lib/ticker';
import { Ring } from './CodeGrid';
import { Icon } from './Icons';

interface Props {
  /** The 2FA item. */
  id: string;
  otpType: OtpType;
  onCopied: (c: Copied) => void;
  onError: (e: IpcError) => void;
}

/** Seconds to wait before asking again after a failed read. */
const RETRY_AFTER_S = 30;

/**
 * A 2FA item's live code in its detail, as its card in the Codes view shows it: the code,
 * the countdown ring, the next code in the last seconds, and **Copy code** (Rust computes
 * and copies the code; the seed never comes into the window). A HOTP item makes its next
 * code on request. The clock is Rust's, narrowed as in the Codes view (fixClock); the
 * timer lives here, so a tick re-renders this block only, never the rest of the detail.
 */
export function DetailCode({ id, otpType, onCopied, onError }: Props) {
  if (otpType === 'hotp') return <HotpCodeBlock id={id} onCopied={onCopied} onError={onError} />;
  return <TimedCode id={id} onCopied={onCopied} onError={onError} />;
}

function TimedCode({ id, onCopied, onError }: Omit<Props, 'otpType'>) {
  const [code, setCode] = useState<OtpCode | null>(null);
  const [missing, setMissing] = useState(false);
  const [now, setNow] = useState(0);
  const [busy, setBusy] = useState(false);
  const fix = useRef<ClockFix | null>(null);
  const nextRead = useRef(Infinity);
  const reading = useRef(false);
  const live = useRef(true);
  // The latest onError without re-reading the code when its identity changes.
  const onErrorRef = useRef(onError);
  useEffect(() => {
    onErrorRef.current = onError;
  }, [onError]);

  const clock = useCallback(() => Date.now() / 1000 + offsetOf(fix.current), []);

  const read = useCallback(() => {
    if (reading.current) return;
    reading.current = true;
    const t0 = Date.now();
    otpCode(id)
      .then(
        (d) => {
          if (!live.current) return;
          fix.current = fixClock(fix.current, d.now, t0, Date.now());
          const c = d.codes.find((x) => x.id === id) ?? null;
          setCode(c);
          setMissing(c === null);
          nextRead.current = c !== null && c.code !== null ? c.valid_until : Infinity;
          setNow((p) => Math.max(p, Math.floor(clock())));
        },
        (e: unknown) => {
          if (!live.current) return;
          nextRead.current = Math.floor(clock()) + RETRY_AFTER_S;
          onErrorRef.current(toIpcError(e));
        },
      )
      .finally(() => {
        reading.current = false;
      });
  }, [clock, id]);

  useEffect(() => {
    live.current = true;
    read();
    return () => {
      live.current = false;
    };
  }, [read]);

  const advance = useCallback((n: number) => {
    setNow((p) => Math.max(p, n));
  }, []);
  useSecondTimer({ clock, advance, read, nextRead });

  const copy = async () => {
    setBusy(true);
    try {
      onCopied(await otpCopy(id));
    } catch (e) {
      onError(toIpcError(e));
    } finally {
      if (live.current) setBusy(false);
    }
  };

  const p = code !== null ? phaseAt(code, now) : null;
  const ending = p !== null && p.left <= NEXT_CODE_SECONDS;
  const type = code?.otp_type ?? 'totp';
  return (
    <div className={`detail-otp${ending ? ' ending' : ''}`} aria-label="2FA code" role="group">
      {p !== null ? (
        <>
          <Ring period={p.period} left={p.left} />
          <div className="detail-otp-text">
            <span className="detail-otp-code" data-testid="detail-code">
              {groupOtp(p.code, type)}
            </span>
            <span className="detail-otp-next muted" data-testid="detail-next-code">
              {ending && p.next !== null ? `next ${groupOtp(p.next, type)}` : `changes in ${String(p.left)} s`}
            </span>
          </div>
        </>
      ) : (
        <span className="muted detail-otp-text" data-testid="detail-code-state">
          {missing ? 'This item has no code to show (its secret may be damaged).' : 'Reading the code…'}
        </span>
      )}
      <button
        type="button"
        className="primary"
        data-testid="detail-copy-code"
        disabled={busy || missing}
        onClick={() => void copy()}
      >
        <Icon name="copy" size={14} /> Copy code
      </button>
    </div>
  );
}

function HotpCodeBlock({ id, onCopied, onError }: Omit<Props, 'otpType'>) {
  const [made, setMade] = useState<{ code: string; counter: number } | null>(null);
  const [busy, setBusy] = useState(false);
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);

  const next = async () => {
    setBusy(true);
    try {
      const h = await hotpNext(id, true);
      if (!live.current) return;
      setMade({ code: h.code, counter: h.counter });
      if (h.copied) onCopied(h.copied);
    } catch (e) {
      onError(toIpcError(e));
    } finally {
      if (live.current) setBusy(false);
    }
  };

  return (
    <div className="detail-otp hotp" aria-label="2FA code" role="group">
      <span className="code-kind">HOTP</span>
      <div className="detail-otp-text">
        <span className="detail-otp-code" data-testid="detail-code">
          {made !== null ? groupOtp(made.code, 'hotp') : '••• •••'}
        </span>
        <span className="detail-otp-next muted">
          {made !== null ? `counter ${String(made.counter)}` : 'A code is made on request (the counter advances).'}
        </span>
      </div>
      <button type="button" className="primary" data-testid="detail-copy-code" disabled={busy} onClick={() => void next()}>
        <Icon name="copy" size={14} /> {made === null ? 'Copy code' : 'Copy next code'}
      </button>
    </div>
  );
}
