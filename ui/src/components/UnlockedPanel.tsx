import { useState } from 'react';
import { type IpcError, toIpcError, vaultLock, type VaultStatus } from '../lib/ipc';

interface Props {
  itemCount: number;
  onLocked: (status: VaultStatus) => void;
}

export function UnlockedPanel({ itemCount, onLocked }: Props) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);

  const lock = async () => {
    setBusy(true);
    setError(null);
    try {
      onLocked(await vaultLock());
    } catch (e) {
      setError(toIpcError(e));
      setBusy(false);
    }
  };

  return (
    <div className="panel">
      <p className="unlocked">
        Unlocked — {itemCount} {itemCount === 1 ? 'item' : 'items'}
      </p>
      <button type="button" onClick={() => void lock()} disabled={busy}>
        {busy ? 'Locking…' : 'Lock'}
      </button>
      {error && (
        <p className="error" role="alert">
          {error.message}
        </p>
      )}
    </div>
  );
}
