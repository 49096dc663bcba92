import { useState } from 'react';

interface Props {
  onRecheck: () => Promise<void>;
}

export function NoVault({ onRecheck }: Props) {
  const [busy, setBusy] = useState(false);

  const recheck = async () => {
    setBusy(true);
    try {
      await onRecheck();
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="panel">
      <p>
        No vault yet — create one with <code>keywright init</code>
      </p>
      <button type="button" onClick={() => void recheck()} disabled={busy}>
        {busy ? 'Checking…' : 'Check again'}
      </button>
    </div>
  );
}
