import { useEffect, useRef, useState } from 'react';
import type { ItemDetail } from '../bindings/ItemDetail';
import { formatDate, formatDateTime, nowSeconds, relative, VALUE_LABEL, inSentence } from '../lib/format';
import { type Copied, itemPreviousCopy, itemPreviousReveal, toIpcError } from '../lib/ipc';
import { Icon } from './Icons';

const MASK = '••••••••••••';

interface Props {
  detail: Pick<ItemDetail, 'id' | 'kind' | 'previous_versions'>;
  /** After a copy (the window shows its toast). */
  onCopied?: (c: Copied, what: string) => void;
  /** After a reveal or copy: the history has a new event. */
  onAudited?: () => void;
}

/** "Previous version": the values "Mark rotated" kept for their grace period, masked, with
 * Reveal and Copy through Rust (audited) and the time each stops working here. Nothing is
 * drawn when there is none. Mount it keyed by the item id: a revealed value dies with it. */
export function PreviousVersions({ detail, onCopied, onAudited }: Props) {
  const [shown, setShown] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [now, setNow] = useState(nowSeconds);
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);

  // A version disappears at the end of its grace period, without a reload.
  const versions = detail.previous_versions.filter((v) => v.purge_at > now);
  const next = versions.reduce<number | null>((m, v) => (m === null || v.purge_at < m ? v.purge_at : m), null);
  useEffect(() => {
    if (next === null) return;
    const ms = Math.min((next - nowSeconds()) * 1000 + 500, 2 ** 31 - 1);
    const t = setTimeout(() => {
      setNow(nowSeconds());
    }, Math.max(ms, 0));
    return () => {
      clearTimeout(t);
    };
  }, [next]);

  if (versions.length === 0) return null;
  const label = `Previous ${inSentence(VALUE_LABEL[detail.kind])}`;

  const reveal = async (vid: string) => {
    setBusy(true);
    setError(null);
    try {
      const v = await itemPreviousReveal(detail.id, vid);
      if (live.current) setShown((s) => ({ ...s, [vid]: v }));
      onAudited?.();
    } catch (e) {
      if (live.current) setError(toIpcError(e).message);
    } finally {
      if (live.current) setBusy(false);
    }
  };

  const copy = async (vid: string) => {
    setBusy(true);
    setError(null);
    try {
      const c = await itemPreviousCopy(detail.id, vid);
      onCopied?.(c, label);
      onAudited?.();
    } catch (e) {
      if (live.current) setError(toIpcError(e).message);
    } finally {
      if (live.current) setBusy(false);
    }
  };

  return (
    <section className="previous-versions" aria-label="Previous version" data-testid="previous-versions">
      {versions.map((v) => {
        const value = shown[v.id];
        return (
          <div className="secret previous-version" key={v.id}>
            <span className="secret-label">{label}</span>
            <code className={`secret-value${value === undefined ? ' masked' : ''}`} data-testid={`previous-${v.id}`}>
              {value ?? MASK}
            </code>
            <div className="secret-actions">
              {value === undefined ? (
                <button
                  type="button"
                  className="small"
                  disabled={busy}
                  aria-label={`Reveal ${label}`}
                  onClick={() => void reveal(v.id)}
                >
                  <Icon name="eye" size={14} /> Reveal
                </button>
              ) : (
                <button
                  type="button"
                  className="small"
                  aria-label={`Hide ${label}`}
                  onClick={() => {
                    setShown((s) => Object.fromEntries(Object.entries(s).filter(([k]) => k !== v.id)));
                  }}
                >
                  <Icon name="eye-off" size={14} /> Hide
                </button>
              )}
              <button
                type="button"
                className="small"
                disabled={busy}
                aria-label={`Copy ${label}`}
                onClick={() => void copy(v.id)}
              >
                <Icon name="copy" size={14} /> Copy
              </button>
            </div>
            <span className="previous-until muted small" title={formatDateTime(v.purge_at)}>
              Replaced {formatDate(v.created_at)} · valid until {formatDateTime(v.purge_at)} ({relative(v.purge_at, now)}),
              then deleted
            </span>
          </div>
        );
      })}
      {error !== null && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
