import { type ReactNode, type SubmitEvent, useCallback, useEffect, useState } from 'react';
import type { ItemDetail } from '../bindings/ItemDetail';
import type { TrashList } from '../bindings/TrashList';
import type { TrashSummary } from '../bindings/TrashSummary';
import { formatDate, formatDateTime, KIND_LABEL, relative } from '../lib/format';
import { itemPurge, itemRestore, toIpcError, trashEmpty, trashList } from '../lib/ipc';
import { Dialog } from './Dialog';
import { KindIcon } from './Icons';

export interface TrashViewProps {
  /** Bump it to list again (the `items-changed` event, a delete elsewhere in the window). */
  version?: number;
  /** An item came back: the parent lists its items again and may select this one. */
  onRestored?: (item: ItemDetail) => void;
  /** How many items the Trash holds, after every load (the sidebar's count). */
  onCount?: (count: number) => void;
}

type Confirm = { t: 'purge'; id: string; name: string } | { t: 'empty'; count: number };

interface Renaming {
  id: string;
  /** The name it had (taken by another item now). */
  was: string;
  name: string;
  error: string | null;
}

/** "30 days left", "1 day left", "deleted today". */
export function daysLeftText(days: number): string {
  if (days <= 0) return 'deleted for good today';
  return days === 1 ? '1 day left' : `${String(days)} days left`;
}

/** The Trash: deleted items for 30 days, each with Restore and Delete forever; Empty Trash. */
export function TrashView({ version = 0, onRestored, onCount }: TrashViewProps) {
  const [list, setList] = useState<TrashList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const [renaming, setRenaming] = useState<Renaming | null>(null);

  const shown = useCallback(
    (l: TrashList) => {
      setList(l);
      onCount?.(l.items.length + l.damaged.length);
    },
    [onCount],
  );

  /** List again after a change made here. */
  const load = async () => {
    try {
      shown(await trashList());
    } catch (e) {
      setError(toIpcError(e).message);
    }
  };

  useEffect(() => {
    let live = true;
    trashList().then(
      (l) => {
        if (live) shown(l);
      },
      (e: unknown) => {
        if (live) setError(toIpcError(e).message);
      },
    );
    return () => {
      live = false;
    };
  }, [shown, version]);

  const restore = async (id: string, was: string, name: string | null) => {
    setBusy(id);
    setError(null);
    try {
      const d = await itemRestore(id, name);
      setRenaming(null);
      await load();
      onRestored?.(d);
    } catch (e) {
      const err = toIpcError(e);
      if (err.kind === 'duplicate_name' || (err.kind === 'invalid_input' && err.field === 'name')) {
        // Its name is taken (or the new one is not a name): ask for another, in place.
        setRenaming((r) => ({
          id,
          was,
          name: r?.id === id ? r.name : `${was} (restored)`,
          error: err.message,
        }));
      } else {
        setError(err.message);
      }
    } finally {
      setBusy(null);
    }
  };

  const purge = async (id: string) => {
    setBusy(id);
    setError(null);
    try {
      await itemPurge(id);
      await load();
    } catch (e) {
      setError(toIpcError(e).message);
    } finally {
      setBusy(null);
      setConfirm(null);
    }
  };

  const empty = async () => {
    setBusy('*');
    setError(null);
    try {
      await trashEmpty();
      setRenaming(null);
      await load();
    } catch (e) {
      setError(toIpcError(e).message);
    } finally {
      setBusy(null);
      setConfirm(null);
    }
  };

  const count = list ? list.items.length + list.damaged.length : 0;
  const keep = list?.keep_days ?? 30;

  const row = (t: TrashSummary) => {
    const r = renaming?.id === t.id ? renaming : null;
    const submit = (e: SubmitEvent<HTMLFormElement>) => {
      e.preventDefault();
      if (r) void restore(t.id, t.name, r.name);
    };
    return (
      <li key={t.id} className="trash-item" data-testid="trash-row">
        <div className="trash-row">
          <KindIcon kind={t.kind} size={18} />
          <span className="tl-name">
            <span className="tl-title">{t.name}</span>
            <span className="muted small" title={formatDateTime(t.deleted_at)}>
              {KIND_LABEL[t.kind]} · deleted {relative(t.deleted_at)}
            </span>
          </span>
          <span
            className={`trash-left${t.days_left <= 3 ? ' trash-left-soon' : ''}`}
            title={`Deleted for good on ${formatDate(t.purge_at)}`}
            data-testid="trash-days-left"
          >
            {daysLeftText(t.days_left)}
          </span>
          <span className="trash-actions">
            <button
              type="button"
              aria-label={`Restore “${t.name}”`}
              disabled={busy !== null}
              onClick={() => {
                void restore(t.id, t.name, null);
              }}
            >
              Restore
            </button>
            <button
              type="button"
              className="danger"
              aria-label={`Delete “${t.name}” forever`}
              disabled={busy !== null}
              onClick={() => {
                setConfirm({ t: 'purge', id: t.id, name: t.name });
              }}
            >
              Delete forever
            </button>
          </span>
        </div>
        {r && (
          <form className="trash-rename" onSubmit={submit} aria-label={`Restore “${t.name}” under a new name`}>
            <label>
              <span>Restore as</span>
              <input
                value={r.name}
                autoFocus
                aria-invalid={r.error !== null}
                aria-describedby={r.error !== null ? `trash-rename-error-${t.id}` : undefined}
                onChange={(e) => {
                  setRenaming({ ...r, name: e.target.value, error: null });
                }}
              />
            </label>
            <button type="submit" className="primary" disabled={busy !== null || r.name.trim() === ''}>
              Restore as new name
            </button>
            <button
              type="button"
              onClick={() => {
                setRenaming(null);
              }}
            >
              Cancel
            </button>
            {r.error !== null && (
              <p className="field-error trash-rename-error" id={`trash-rename-error-${t.id}`} role="alert">
                {r.error}
              </p>
            )}
          </form>
        )}
      </li>
    );
  };

  return (
    <section className="trash-view" aria-label="Trash" data-testid="trash">
      <div className="codes-head trash-head">
        <div>
          <h2>Trash</h2>
          <span className="muted small">
            Deleted items stay here {keep} days, then they are deleted for good.
          </span>
        </div>
        <button
          type="button"
          className="danger"
          disabled={count === 0 || busy !== null}
          onClick={() => {
            setConfirm({ t: 'empty', count });
          }}
        >
          Empty Trash
        </button>
      </div>
      {error !== null && (
        <p className="banner banner-error trash-error" role="alert">
          {error}
        </p>
      )}
      <div className="timeline-scroll">
        {list === null ? (
          <p className="muted">Loading…</p>
        ) : count === 0 ? (
          <div className="empty">
            <p>The Trash is empty</p>
            <p className="muted">Items you delete stay here {keep} days, so that you can restore them.</p>
          </div>
        ) : (
          <ul className="trash-list" aria-label="Items in the Trash">
            {list.items.map(row)}
            {list.damaged.map((d) => (
              <li key={d.id} className="trash-item" data-testid="trash-row">
                <div className="trash-row">
                  <span aria-hidden="true">⚠</span>
                  <span className="tl-name">
                    <span className="tl-title">Damaged item {d.id}</span>
                    <span className="muted small">It failed its integrity check and cannot be restored ({d.reason}).</span>
                  </span>
                  <span />
                  <span className="trash-actions">
                    <button
                      type="button"
                      className="danger"
                      aria-label={`Delete damaged item ${d.id} forever`}
                      disabled={busy !== null}
                      onClick={() => {
                        setConfirm({ t: 'purge', id: d.id, name: `damaged item ${d.id}` });
                      }}
                    >
                      Delete forever
                    </button>
                  </span>
                </div>
              </li>
            ))}
          </ul>
        )}
      </div>
      {confirm?.t === 'purge' && (
        <ForeverDialog
          title={`Delete “${confirm.name}” forever?`}
          action="Delete forever"
          busy={busy !== null}
          onCancel={() => {
            setConfirm(null);
          }}
          onConfirm={() => {
            void purge(confirm.id);
          }}
        >
          <p>It is deleted for good with its secrets and its saved requests. This cannot be undone.</p>
        </ForeverDialog>
      )}
      {confirm?.t === 'empty' && (
        <ForeverDialog
          title="Empty the Trash?"
          action={confirm.count === 1 ? 'Delete 1 item forever' : `Delete ${String(confirm.count)} items forever`}
          busy={busy !== null}
          onCancel={() => {
            setConfirm(null);
          }}
          onConfirm={() => {
            void empty();
          }}
        >
          <p>
            The {confirm.count === 1 ? 'item' : `${String(confirm.count)} items`} in the Trash{' '}
            {confirm.count === 1 ? 'is' : 'are'} deleted for good with {confirm.count === 1 ? 'its' : 'their'} secrets.
            This cannot be undone.
          </p>
        </ForeverDialog>
      )}
    </section>
  );
}

interface ForeverDialogProps {
  title: string;
  /** The danger button's label. */
  action: string;
  busy: boolean;
  onCancel: () => void;
  onConfirm: () => void;
  children: ReactNode;
}

/** The question before deleting for good: Cancel has the focus. */
function ForeverDialog({ title, action, busy, onCancel, onConfirm, children }: ForeverDialogProps) {
  return (
    <Dialog title={title} onClose={onCancel}>
      <div className="dialog-body">
        {children}
        <footer className="dialog-foot">
          <button type="button" data-autofocus="" onClick={onCancel}>
            Cancel
          </button>
          <button type="button" className="danger-solid" disabled={busy} onClick={onConfirm}>
            {action}
          </button>
        </footer>
      </div>
    </Dialog>
  );
}
