import { type SubmitEvent, useCallback, useEffect, useId, useState } from 'react';
import { formatDateTime, formatSize, relative } from '../lib/format';
import { type BackupEntry, type BackupStatus, backupList, backupNow, backupSet, backupStatus, toIpcError } from '../lib/ipc';

function itemsText(n: number | null): string {
  return n === null ? '' : `${String(n)} item${n === 1 ? '' : 's'}`;
}

/** Settings → Backups: the last backup, the folder, automatic on/off, Back up now, and the
 * snapshots in the folder. A backup is the sealed vault: it opens with the password (or the
 * recovery code) the vault had when it was taken. */
export function BackupsSection() {
  const [status, setStatus] = useState<BackupStatus | null>(null);
  const [list, setList] = useState<BackupEntry[] | null>(null);
  const [folder, setFolder] = useState('');
  const [folderError, setFolderError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const uid = useId();

  const show = useCallback((s: BackupStatus) => {
    setStatus(s);
    setFolder(s.default_folder ? '' : s.folder);
  }, []);

  const reload = useCallback(async () => {
    const [s, l] = await Promise.all([backupStatus(), backupList()]);
    show(s);
    setList(l);
  }, [show]);

  useEffect(() => {
    let live = true;
    Promise.all([backupStatus(), backupList()]).then(
      ([s, l]) => {
        if (!live) return;
        show(s);
        setList(l);
      },
      (e: unknown) => {
        if (live) setError(toIpcError(e).message);
      },
    );
    return () => {
      live = false;
    };
  }, [show]);

  const apply = async (nextFolder: string, auto: boolean) => {
    setBusy(true);
    setError(null);
    setFolderError(null);
    setDone(null);
    try {
      const s = await backupSet(nextFolder.trim() === '' ? null : nextFolder.trim(), auto);
      show(s);
      setList(await backupList());
      setDone(auto ? 'Automatic backups are on.' : 'Saved.');
    } catch (e) {
      const ipc = toIpcError(e);
      if (ipc.field === 'folder') setFolderError(ipc.message);
      else setError(ipc.message);
    } finally {
      setBusy(false);
    }
  };

  const now = async () => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const b = await backupNow();
      setDone(`Backed up to ${b.path} (${formatSize(b.size)}).`);
      await reload();
    } catch (e) {
      setError(toIpcError(e).message);
    } finally {
      setBusy(false);
    }
  };

  const submitFolder = (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (status && !busy) void apply(folder, status.auto);
  };

  if (!status) {
    return (
      <section aria-labelledby={`${uid}-h`}>
        <h3 id={`${uid}-h`}>Backups</h3>
        {error !== null ? (
          <p className="banner banner-error" role="alert">
            {error}
          </p>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </section>
    );
  }

  const last = status.last;
  return (
    <section aria-labelledby={`${uid}-h`} data-testid="backups">
      <h3 id={`${uid}-h`}>Backups</h3>
      <p data-testid="backup-last">
        {last === null
          ? 'No backup yet.'
          : `Last backup ${relative(last.taken_at)} (${formatDateTime(last.taken_at)}, ${formatSize(last.size)}${
              last.items === null ? '' : `, ${itemsText(last.items)}`
            }); ${String(status.count)} in the folder.`}
      </p>
      {status.last_error !== null && (
        <p className="banner banner-warn" role="alert">
          The last automatic backup failed: {status.last_error}
        </p>
      )}
      {error !== null && (
        <p className="banner banner-error" role="alert">
          {error}
        </p>
      )}
      <form className="field" onSubmit={submitFolder} noValidate>
        <label className="field-label" htmlFor={`${uid}-folder`}>
          Backup folder
        </label>
        <div className="row-end">
          <input
            id={`${uid}-folder`}
            type="text"
            spellCheck={false}
            placeholder={status.default_folder ? status.folder : 'backups/ next to the vault file'}
            value={folder}
            disabled={busy}
            aria-invalid={folderError !== null}
            aria-describedby={`${uid}-folder-msg`}
            onChange={(e) => {
              setFolder(e.target.value);
              setFolderError(null);
            }}
          />
          <button type="submit" disabled={busy || folder.trim() === (status.default_folder ? '' : status.folder)}>
            Use this folder
          </button>
        </div>
        <span id={`${uid}-folder-msg`} className={folderError !== null ? 'field-error' : 'field-hint'} role={folderError !== null ? 'alert' : undefined}>
          {folderError ??
            'The full path of a folder: a USB disk, a synced folder. Empty: backups/ next to the vault file.'}
        </span>
      </form>
      <div>
        <label className="check">
          <input
            type="checkbox"
            checked={status.auto}
            disabled={busy}
            aria-describedby={`${uid}-auto`}
            onChange={(e) => void apply(folder, e.target.checked)}
          />
          <span>Back up automatically</span>
        </label>
        <span id={`${uid}-auto`} className="field-hint check-hint">
          After changes (once the vault has been quiet a minute) and daily. Kept: the last 10, one a day for 30 days, one
          a month. A backup opens with the password the vault had when it was taken.
        </span>
      </div>
      <div className="row-end">
        {done !== null && (
          <span className="ok-text" role="status">
            {done}
          </span>
        )}
        <button type="button" disabled={busy} onClick={() => void now()}>
          {busy ? 'Working…' : 'Back up now'}
        </button>
      </div>
      {list !== null && list.length > 0 && (
        <details>
          <summary>Snapshots in the folder ({String(list.length)})</summary>
          <ul className="backup-list" aria-label="Snapshots">
            {list.map((b) => (
              <li key={b.path} title={b.path}>
                <span>{formatDateTime(b.taken_at)}</span>
                <span>{formatSize(b.size)}</span>
                <span>{b.complete ? itemsText(b.items) : `incomplete: ${b.problem ?? 'unreadable'}`}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
