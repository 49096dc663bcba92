// The item's sent requests (secrets redacted), newest first; a row opens in the editor.
import { formatDateTime, relative } from '../../lib/format';
import type { HistoryEntry } from '../../lib/ipc';
import { DIAGNOSIS_TITLE, tone } from '../../lib/request';

export function HistoryTable({ history, onOpen }: { history: HistoryEntry[]; onOpen: (h: HistoryEntry) => void }) {
  return (
    <div className="request-history">
      <h3>Sent requests</h3>
      {history.length === 0 ? (
        <p className="muted small">None yet. What is sent is kept here with every secret redacted (the last 50).</p>
      ) : (
        <table data-testid="request-history">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Request</th>
              <th scope="col">Result</th>
              <th scope="col" className="num">
                ms
              </th>
            </tr>
          </thead>
          <tbody>
            {history.map((h, i) => (
              <tr
                key={`${String(h.at)}-${String(i)}`}
                className="clickable"
                tabIndex={0}
                title="Open in the editor"
                onClick={() => {
                  onOpen(h);
                }}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') {
                    e.preventDefault();
                    onOpen(h);
                  }
                }}
              >
                <td title={formatDateTime(h.at)}>{relative(h.at)}</td>
                <td className="history-url">
                  <span className="method-tag">{h.method}</span> {h.url}
                </td>
                <td>
                  <span className={`status-dot status-${tone(h.diagnosis)}`} />
                  {h.status !== null ? `${String(h.status)} · ` : ''}
                  {DIAGNOSIS_TITLE[h.diagnosis]}
                  {h.renewed && <span className="muted"> · renewed</span>}
                </td>
                <td className="num">{String(h.total_ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
