import type { ReactNode } from 'react';
import { formatDateTime, relative } from '../lib/format';
import type { SyncState } from '../lib/ipc';
import { count } from '../lib/nav';
import { Icon } from './Icons';

interface Props {
  sync: SyncState | null;
  /** A manual pass (Settings → Sync "Sync now") is running. */
  syncing: boolean;
  /** The "N conflicts" button: open the Conflicts view. */
  onConflicts: () => void;
}

/** The first line of an error, cut to a status bar's length (the whole text is the title). */
export function shortError(error: string): string {
  const line = error.split('\n')[0]?.trim() ?? '';
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

/** The status bar's sync segment: "Synced 2 minutes ago · 3 devices", "Syncing…", a warning
 * when the last pass failed, and a button to the conflicts when there are some. Nothing
 * while sync is off. */
export function SyncStatus({ sync, syncing, onConflicts }: Props) {
  if (sync === null || !sync.enabled) return null;
  const devices = sync.devices.filter((d) => !d.removed).length;
  let main: ReactNode;
  if (syncing) {
    main = <span className="sync-text">Syncing…</span>;
  } else if (sync.error !== null) {
    main = (
      <span className="sync-text sync-error" title={sync.error} data-testid="sync-error">
        <span aria-hidden="true">⚠ </span>
        Sync: {shortError(sync.error)}
      </span>
    );
  } else {
    const last = sync.last_sync;
    const title = [
      last === null ? 'Not synced yet' : `Last sync ${formatDateTime(last)}`,
      sync.dir === null ? null : `through ${sync.dir}`,
      sync.pending > 0 ? `${count(sync.pending, 'change')} waiting` : null,
    ]
      .filter((p) => p !== null)
      .join(' · ');
    main = (
      <span className="sync-text" title={title}>
        {last === null ? 'Not synced yet' : `Synced ${relative(last)}`} · {count(devices, 'device')}
      </span>
    );
  }
  return (
    <span className="sync-status muted" data-testid="sync-status">
      <Icon name="sync" size={12} />
      {main}
      {sync.conflicts > 0 && (
        <button type="button" className="sync-conflicts" onClick={onConflicts} title="Open the Conflicts view">
          {count(sync.conflicts, 'conflict')}
        </button>
      )}
    </span>
  );
}
