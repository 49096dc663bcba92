import { useCallback, useEffect, useRef, useState } from 'react';
import { formatDateTime, relative } from '../lib/format';
import { conflictKeep, conflictsList, type ConflictVersionView, type ConflictView, toIpcError } from '../lib/ipc';
import { count } from '../lib/nav';

export interface ConflictsViewProps {
  /** Bump it to list again (the `items-changed` event: a sync pass brought new versions). */
  version?: number;
  /** How many items have a conflict, after every load (the sidebar's count). */
  onCount?: (count: number) => void;
  /** A version was kept: the parent lists its items and the sync state again. */
  onKept?: (kept: { item: string; device: string; deleted: boolean }) => void;
}

/** The version in force first, then the others, newest first. */
function ordered(versions: readonly ConflictVersionView[]): ConflictVersionView[] {
  return [...versions].sort((a, b) => Number(b.kept) - Number(a.kept) || b.at - a.at);
}

/** "2 Dec 2026, 19:51 · 3 hours ago". */
function when(at: number): string {
  return `${formatDateTime(at)} · ${relative(at)}`;
}

/** The Conflicts view: each item changed on two devices before they synced, with every
 * version (where it comes from, when, what differs from the one in force) and "Keep this
 * one" on each. Keeping the version in force resolves the conflict in its favour. */
export function ConflictsView({ version = 0, onCount, onKept }: ConflictsViewProps) {
  const [list, setList] = useState<ConflictView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  const shown = useCallback(
    (l: ConflictView[]) => {
      setList(l);
      onCount?.(l.length);
    },
    [onCount],
  );

  useEffect(() => {
    let live = true;
    conflictsList().then(
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

  const keep = async (c: ConflictView, v: ConflictVersionView) => {
    setBusy(v.id);
    setError(null);
    setDone(null);
    try {
      const rest = await conflictKeep(c.item_id, v.id);
      shown(rest);
      setDone(
        v.deleted
          ? `Kept the version from ${v.device_name}: “${c.name}” is deleted (it is in the Trash).`
          : `Kept the version from ${v.device_name} for “${c.name}”.`,
      );
      onKept?.({ item: c.name, device: v.device_name, deleted: v.deleted });
      // The card is gone: the focus goes back to the view's heading, not to the page.
      heading.current?.focus();
    } catch (e) {
      setError(toIpcError(e).message);
    } finally {
      setBusy(null);
    }
  };

  const versionCard = (c: ConflictView, v: ConflictVersionView, sameDevice: boolean) => {
    const fields = v.differs.filter((f) => !(v.deleted && f === 'deleted'));
    const from = sameDevice ? `${v.device_name} (${formatDateTime(v.at)})` : v.device_name;
    const renamed = !v.deleted && v.name !== null && v.name !== c.name;
    return (
      <li
        key={v.id}
        className={`conflict-version${v.kept ? ' conflict-kept' : ''}${v.deleted ? ' conflict-deleted' : ''}`}
        data-testid="conflict-version"
      >
        <div className="conflict-version-head">
          <span className="conflict-device" title={`Device ${v.device_id}`}>
            {v.device_name}
          </span>
          {v.kept && <span className="chip chip-new">In force</span>}
          {v.deleted && <span className="chip chip-invalid">Deletes the item</span>}
        </div>
        <span className="muted small" title={formatDateTime(v.at)}>
          {when(v.at)}
        </span>
        {renamed && <span className="small">Named “{v.name}”</span>}
        {v.kept ? (
          <span className="muted small">The item shows this version now.</span>
        ) : fields.length > 0 ? (
          <span className="conflict-differs small">
            <span className="muted">differs in:</span>
            {fields.map((f) => (
              <span key={f} className="chip chip-field">
                {f}
              </span>
            ))}
          </span>
        ) : (
          !v.deleted && <span className="muted small">Same content as the version in force.</span>
        )}
        <button
          type="button"
          className={v.kept ? undefined : 'primary'}
          aria-label={`Keep the version of “${c.name}” from ${from}`}
          disabled={busy !== null}
          onClick={() => {
            void keep(c, v);
          }}
        >
          {busy === v.id ? 'Keeping…' : 'Keep this one'}
        </button>
      </li>
    );
  };

  const conflict = (c: ConflictView) => {
    const versions = ordered(c.versions);
    const devices = versions.map((v) => v.device_name);
    return (
      <li key={c.item_id} className="conflict-item" data-testid="conflict" aria-labelledby={`conflict-${c.item_id}`}>
        <div className="conflict-item-head">
          <h3 id={`conflict-${c.item_id}`}>{c.name}</h3>
          <span className="muted small">{count(versions.length, 'version')}</span>
        </div>
        <ul className="conflict-versions" aria-label={`Versions of “${c.name}”`}>
          {versions.map((v) => versionCard(c, v, devices.filter((d) => d === v.device_name).length > 1))}
        </ul>
      </li>
    );
  };

  const n = list?.length ?? 0;
  return (
    <section className="trash-view conflicts-view" aria-labelledby="conflicts-title" data-testid="conflicts">
      <div className="codes-head trash-head">
        <div>
          <h2 id="conflicts-title" ref={heading} tabIndex={-1}>
            Conflicts
          </h2>
          <span className="muted small">
            These items changed on two devices before they synced. Every version is kept until you choose one.
          </span>
        </div>
      </div>
      {error !== null && (
        <p className="banner banner-error trash-error" role="alert">
          {error}
        </p>
      )}
      <p className="conflicts-done ok-text" role="status">
        {done}
      </p>
      <div className="timeline-scroll">
        {list === null ? (
          <p className="muted">Loading…</p>
        ) : n === 0 ? (
          <div className="empty">
            <p>No conflicts</p>
            <p className="muted">
              When two devices change the same item before syncing, both versions are kept here until you choose.
            </p>
          </div>
        ) : (
          <ul className="conflict-list" aria-label="Items with a conflict">
            {list.map(conflict)}
          </ul>
        )}
      </div>
    </section>
  );
}
