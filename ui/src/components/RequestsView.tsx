import { useEffect, useMemo, useState } from 'react';
import type { ItemSummary } from '../bindings/ItemSummary';
import type { RecentRequest } from '../bindings/RecentRequest';
import { formatDateTime, relative } from '../lib/format';
import { requestRecent, toIpcError } from '../lib/ipc';
import { DIAGNOSIS_TITLE, tone } from '../lib/request';
import { KindIcon } from './Icons';

interface Props {
  items: readonly ItemSummary[];
  /** Show the item's request console. */
  onOpen: (id: string) => void;
}

/** Every test request sent in this vault, newest first (the last 500; each item keeps its
 * own 50): which keys were tried, and which failed and why. */
export function RequestsView({ items, onOpen }: Props) {
  const [recent, setRecent] = useState<RecentRequest[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [failingOnly, setFailingOnly] = useState(false);
  const byId = useMemo(() => new Map(items.map((i) => [i.id, i])), [items]);

  useEffect(() => {
    let live = true;
    requestRecent(500).then(
      (r) => {
        if (live) setRecent(r);
      },
      (e: unknown) => {
        if (live) setError(toIpcError(e).message);
      },
    );
    return () => {
      live = false;
    };
  }, []);

  const rows = (recent ?? []).filter((r) => !failingOnly || r.entry.diagnosis !== 'ok');
  const failing = (recent ?? []).filter((r) => r.entry.diagnosis !== 'ok').length;

  return (
    <section className="timeline requests-view" aria-label="Sent requests" data-testid="requests-view">
      <div className="codes-head">
        <h2>Requests</h2>
        <span className="muted">
          {recent === null ? 'Loading…' : `${recent.length.toLocaleString()} sent · ${failing.toLocaleString()} failed`}
        </span>
        <span className="spacer" />
        <label className="check small">
          <input
            type="checkbox"
            checked={failingOnly}
            onChange={(e) => {
              setFailingOnly(e.target.checked);
            }}
          />
          Failed only
        </label>
      </div>
      {error !== null && (
        <p className="banner banner-error" role="alert">
          {error}
        </p>
      )}
      <div className="timeline-scroll request-history">
        {recent !== null && rows.length === 0 ? (
          <p className="muted small">
            {recent.length === 0
              ? 'No test requests yet. Open a credential’s Requests tab to send one with it.'
              : 'No failed requests.'}
          </p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Credential</th>
                <th scope="col">Request</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => {
                const it = byId.get(r.item_id);
                const h = r.entry;
                return (
                  <tr
                    key={`${r.item_id}-${String(h.at)}-${String(i)}`}
                    className="clickable"
                    tabIndex={0}
                    title={h.message}
                    onClick={() => {
                      onOpen(r.item_id);
                    }}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter') {
                        e.preventDefault();
                        onOpen(r.item_id);
                      }
                    }}
                  >
                    <td title={formatDateTime(h.at)}>{relative(h.at)}</td>
                    <td>
                      <span className="rv-item">
                        {it !== undefined && <KindIcon kind={it.kind} size={14} />}
                        <span>{it?.name ?? 'a deleted item'}</span>
                      </span>
                    </td>
                    <td className="history-url">
                      <span className="method-tag">{h.method}</span> {h.url}
                    </td>
                    <td>
                      <span className={`status-dot status-${tone(h.diagnosis)}`} />
                      {h.status !== null ? `${String(h.status)} · ` : ''}
                      {DIAGNOSIS_TITLE[h.diagnosis]}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
