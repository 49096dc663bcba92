import { type SubmitEvent, useCallback, useEffect, useId, useState } from 'react';
import { formatDateTime, relative } from '../lib/format';
import { type SyncDevice, type SyncState, syncNow, syncRemoveDevice, syncSetup, syncState, toIpcError } from '../lib/ipc';
import { count } from '../lib/nav';
import { Dialog } from './Dialog';

export interface SyncSectionProps {
  /** The state after a change made here (the status bar and the sidebar follow it). */
  onState?: ((s: SyncState) => void) | undefined;
  /** A manual pass starts (true) or ends (false): the status bar says "Syncing…". */
  onSyncing?: ((busy: boolean) => void) | undefined;
}

/** A device id as people read it: its first 8 characters. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** A path as one shell word: quoted when it holds anything but plain path characters. */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function seen(d: SyncDevice): string {
  if (d.last_seen === null) return 'not seen yet';
  return d.this_device ? `synced ${relative(d.last_seen)}` : `last seen ${relative(d.last_seen)}`;
}

/** Settings → Sync. Off: what sync is, the folder and this device's name, Start syncing.
 * On: the folder, this device, the last pass, what is pending, the devices (Remove one),
 * Sync now, the last pass's error and refused files, and how to join from another device. */
export function SyncSection({ onState, onSyncing }: SyncSectionProps) {
  const [state, setState] = useState<SyncState | null>(null);
  const [folder, setFolder] = useState('');
  const [name, setName] = useState('');
  const [folderError, setFolderError] = useState<string | null>(null);
  const [nameError, setNameError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState<'setup' | 'now' | 'remove' | null>(null);
  const [removing, setRemoving] = useState<SyncDevice | null>(null);
  const uid = useId();

  useEffect(() => {
    let live = true;
    syncState().then(
      (s) => {
        if (live) setState(s);
      },
      (e: unknown) => {
        if (live) setError(toIpcError(e).message);
      },
    );
    return () => {
      live = false;
    };
  }, []);

  const show = useCallback(
    (s: SyncState) => {
      setState(s);
      onState?.(s);
    },
    [onState],
  );

  const start = async (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (busy !== null) return;
    setError(null);
    setDone(null);
    if (folder.trim() === '') {
      setFolderError('Enter the full path of the folder your sync tool shares.');
      return;
    }
    setBusy('setup');
    try {
      const s = await syncSetup(folder.trim(), name.trim() === '' ? null : name.trim());
      show(s);
      setDone(`This vault now syncs through ${s.dir ?? folder.trim()}.`);
    } catch (err) {
      const ipc = toIpcError(err);
      if (ipc.field === 'folder') setFolderError(ipc.message);
      else if (ipc.field === 'name') setNameError(ipc.message);
      else setError(ipc.message);
    } finally {
      setBusy(null);
    }
  };

  const now = async () => {
    setBusy('now');
    setError(null);
    setDone(null);
    onSyncing?.(true);
    try {
      show(await syncNow());
      setDone('Synced.');
    } catch (err) {
      setError(toIpcError(err).message);
      // The state says why too (its error), and what the pass did before it failed.
      syncState().then(show, () => undefined);
    } finally {
      setBusy(null);
      onSyncing?.(false);
    }
  };

  const remove = async (d: SyncDevice) => {
    setBusy('remove');
    setError(null);
    setDone(null);
    try {
      show(await syncRemoveDevice(d.id));
      setDone(`Removed “${d.name}”: no device reads its folder any more.`);
    } catch (err) {
      setError(toIpcError(err).message);
    } finally {
      setBusy(null);
      setRemoving(null);
    }
  };

  const heading = <h3 id={`${uid}-h`}>Sync</h3>;
  const errorBanner = error !== null && (
    <p className="banner banner-error" role="alert">
      {error}
    </p>
  );
  const doneText = done !== null && (
    <span className="ok-text" role="status">
      {done}
    </span>
  );

  if (state === null) {
    return (
      <section aria-labelledby={`${uid}-h`}>
        {heading}
        {errorBanner || <p className="muted">Loading…</p>}
      </section>
    );
  }

  if (!state.enabled) {
    return (
      <section aria-labelledby={`${uid}-h`} data-testid="sync">
        {heading}
        <p className="muted">
          Keep this vault in step on your other computers through a folder that a sync tool shares (Syncthing,
          Dropbox, a network share, a git repository). Each device writes only its own subfolder there, and what it
          writes is sealed with the vault key: nothing leaves this computer in clear.
        </p>
        {errorBanner}
        <form className="sync-setup" onSubmit={(e) => void start(e)} noValidate>
          <div className="field">
            <label className="field-label" htmlFor={`${uid}-folder`}>
              Folder
            </label>
            <input
              id={`${uid}-folder`}
              type="text"
              spellCheck={false}
              placeholder="/home/you/Sync/keywright"
              value={folder}
              disabled={busy !== null}
              aria-invalid={folderError !== null}
              aria-describedby={`${uid}-folder-msg`}
              onChange={(e) => {
                setFolder(e.target.value);
                setFolderError(null);
              }}
            />
            <span
              id={`${uid}-folder-msg`}
              className={folderError !== null ? 'field-error' : 'field-hint'}
              role={folderError !== null ? 'alert' : undefined}
            >
              {folderError ?? 'The full path of the folder your sync tool shares with your other devices.'}
            </span>
          </div>
          <div className="field">
            <label className="field-label" htmlFor={`${uid}-name`}>
              This device’s name <span className="muted">(optional)</span>
            </label>
            <input
              id={`${uid}-name`}
              type="text"
              spellCheck={false}
              placeholder="This computer’s name"
              value={name}
              disabled={busy !== null}
              aria-invalid={nameError !== null}
              aria-describedby={`${uid}-name-msg`}
              onChange={(e) => {
                setName(e.target.value);
                setNameError(null);
              }}
            />
            <span
              id={`${uid}-name-msg`}
              className={nameError !== null ? 'field-error' : 'field-hint'}
              role={nameError !== null ? 'alert' : undefined}
            >
              {nameError ?? 'How the other devices show this one. Empty: the computer’s name.'}
            </span>
          </div>
          <div className="row-end">
            {doneText}
            <button type="submit" className="primary" disabled={busy !== null}>
              {busy === 'setup' ? 'Starting…' : 'Start syncing'}
            </button>
          </div>
        </form>
      </section>
    );
  }

  const dir = state.dir ?? '';
  return (
    <section aria-labelledby={`${uid}-h`} data-testid="sync">
      {heading}
      <dl className="facts sync-facts">
        <dt>Folder</dt>
        <dd className="path" data-testid="sync-dir">
          {dir}
        </dd>
        <dt>This device</dt>
        <dd data-testid="sync-this-device">
          {state.device_name}{' '}
          <code className="sync-id" title={state.device_id}>
            {shortId(state.device_id)}
          </code>
        </dd>
        <dt>Last sync</dt>
        <dd data-testid="sync-last" title={state.last_sync === null ? undefined : formatDateTime(state.last_sync)}>
          {state.last_sync === null ? 'Not yet' : relative(state.last_sync)}
        </dd>
        <dt>Pending</dt>
        <dd data-testid="sync-pending">
          {state.pending === 0 ? 'Nothing waiting' : `${count(state.pending, 'change')} waiting`}
        </dd>
      </dl>
      {state.error !== null && (
        <p className="banner banner-warn" role="alert" data-testid="sync-failed">
          The last sync failed: {state.error}
        </p>
      )}
      {state.refused.length > 0 && (
        <div className="banner banner-warn sync-refused" role="alert">
          <span>Refused at the last sync:</span>
          <ul aria-label="Refused files">
            {state.refused.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </div>
      )}
      {errorBanner}
      <div className="sync-devices-wrap">
        <h4 id={`${uid}-devices`}>Devices</h4>
        <ul className="sync-devices" aria-labelledby={`${uid}-devices`}>
          {state.devices.map((d) => (
            <li key={d.id} className={d.removed ? 'sync-device-removed' : undefined} data-testid="sync-device">
              <span className="sync-device-name">
                <span className="sync-device-title">{d.name === '' ? `device ${shortId(d.id)}` : d.name}</span>
                <code className="sync-id" title={d.id}>
                  {shortId(d.id)}
                </code>
                {d.this_device && <span className="chip chip-new">this device</span>}
                {d.removed && <span className="chip chip-invalid">removed</span>}
              </span>
              <span className="muted small" title={d.last_seen === null ? undefined : formatDateTime(d.last_seen)}>
                {seen(d)}
              </span>
              <span className="sync-device-actions">
                {!d.this_device && !d.removed && (
                  <button
                    type="button"
                    className="small danger"
                    aria-label={`Remove device “${d.name}”`}
                    disabled={busy !== null}
                    onClick={() => {
                      setRemoving(d);
                    }}
                  >
                    Remove
                  </button>
                )}
              </span>
            </li>
          ))}
        </ul>
      </div>
      <p className="field-hint" data-testid="sync-join">
        On another device: <code>keywright sync join {shellWord(dir)}</code>
      </p>
      <div className="row-end">
        {doneText}
        <button type="button" disabled={busy !== null} onClick={() => void now()}>
          {busy === 'now' ? 'Syncing…' : 'Sync now'}
        </button>
      </div>
      {removing !== null && (
        <Dialog
          title={`Remove “${removing.name}” from the sync?`}
          className="dialog-confirm"
          onClose={() => {
            setRemoving(null);
          }}
        >
          <div className="dialog-body">
            <p>
              No device reads its folder any more, so what it changes from now on does not reach the others. What it
              synced before stays.
            </p>
            <p>
              The removed device keeps what it had, and it still knows the vault key. If it was lost or sold,
              consider a new key: <code>keywright rekey</code> on this device. A rekey ends this sync; then start
              syncing through a new folder and join it from your other devices.
            </p>
            <footer className="dialog-foot">
              <button
                type="button"
                data-autofocus=""
                onClick={() => {
                  setRemoving(null);
                }}
              >
                Cancel
              </button>
              <button
                type="button"
                className="danger-solid"
                disabled={busy !== null}
                onClick={() => {
                  void remove(removing);
                }}
              >
                {busy === 'remove' ? 'Removing…' : 'Remove device'}
              </button>
            </footer>
          </div>
        </Dialog>
      )}
    </section>
  );
}
