import type { ReactNode } from 'react';
import type { VaultState, VaultStatus } from '../lib/ipc';

const LABELS: Record<VaultState, string> = {
  none: 'No vault',
  locked: 'Locked',
  unlocked: 'Unlocked',
};

interface Props {
  status: VaultStatus;
  children: ReactNode;
}

/** The vault's state and path, with the actions for that state below. */
export function StatusCard({ status, children }: Props) {
  return (
    <section className="card" aria-labelledby="vault-title">
      <div className="card-head">
        <h2 id="vault-title">Vault</h2>
        <span className={`badge badge-${status.state}`} data-testid="vault-state">
          {LABELS[status.state]}
        </span>
      </div>
      <dl className="facts">
        <dt>File</dt>
        <dd>
          <code className="path">{status.path}</code>
        </dd>
      </dl>
      {children}
    </section>
  );
}
