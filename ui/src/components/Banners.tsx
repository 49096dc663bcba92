import type { ItemList } from '../lib/ipc';
import { count } from '../lib/nav';

export interface Notice {
  id: number;
  message: string;
  /** `info`: something that happened (an item removed by another process), not a failure. */
  tone: 'error' | 'info';
}

interface Props {
  notices: readonly Notice[];
  list: ItemList | null;
  onDismiss: (id: number) => void;
}

/** Errors of the last commands, and what the list read says about the whole vault. */
export function Banners({ notices, list, onDismiss }: Props) {
  const damaged = list?.damaged ?? [];
  const warnings = list?.warnings ?? [];
  if (notices.length === 0 && damaged.length === 0 && warnings.length === 0) return null;
  return (
    <div className="banners">
      {notices.map((e) => (
        <div
          key={e.id}
          className={`banner ${e.tone === 'error' ? 'banner-error' : 'banner-info'}`}
          role={e.tone === 'error' ? 'alert' : 'status'}
        >
          <span>{e.message}</span>
          <button
            type="button"
            className="icon-button"
            aria-label="Dismiss"
            onClick={() => {
              onDismiss(e.id);
            }}
          >
            ×
          </button>
        </div>
      ))}
      {warnings.map((w) => (
        <div key={w} className="banner banner-warn" role="alert">
          <span>{w}</span>
        </div>
      ))}
      {damaged.length > 0 && (
        <details className="banner banner-warn" role="alert">
          <summary>
            {count(damaged.length, 'item')} failed {damaged.length === 1 ? 'its' : 'their'} integrity check
          </summary>
          <ul>
            {damaged.map((d) => (
              <li key={d.id}>
                <code>{d.id}</code> — {d.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
