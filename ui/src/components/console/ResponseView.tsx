// The answer to the last request: the diagnosis (why it failed, with its fix-it button),
// the status, body, headers and timing. After the request changes, it is marked as the
// answer to an earlier request and its diagnosis is no longer shown.
import { type ReactNode, useState } from 'react';
import { formatDateTime } from '../../lib/format';
import type { RequestResult } from '../../lib/ipc';
import { DIAGNOSIS_TITLE, formatBytes, tone } from '../../lib/request';
import { Tabs } from './parts';

type ResTab = 'body' | 'headers' | 'timing';

interface Props {
  result: RequestResult;
  /** The request was changed since: this answer is to an earlier one. */
  stale: boolean;
  /** The diagnosis' fix-it button. */
  fix: ReactNode;
}

export function ResponseView({ result: r, stale, fix }: Props) {
  const [resTab, setResTab] = useState<ResTab>('body');
  return (
    <>
      {stale && (
        <p className="banner banner-info stale-note" role="status" data-testid="stale-note">
          The request changed after this response. Send it to see the new result.
        </p>
      )}
      <div className={`response${stale ? ' response-stale' : ''}`} data-testid="response" aria-label={stale ? 'Previous response' : undefined}>
          {!stale && (
          <div className={`diagnosis diagnosis-${tone(r.diagnosis.kind)}`} role="status" data-testid="diagnosis">
            <div className="diagnosis-text">
              <strong data-kind={r.diagnosis.kind}>{DIAGNOSIS_TITLE[r.diagnosis.kind]}</strong>
              <span>{r.diagnosis.message}</span>
              {r.renewed && <span className="muted small">The OAuth token was renewed for this request.</span>}
            </div>
            {fix}
          </div>
          )}
          <div className="response-head">
            <span className={`status-pill status-${tone(r.diagnosis.kind)}`} data-testid="response-status">
              {r.status === null ? 'No response' : `${String(r.status)} ${r.reason ?? ''}`.trim()}
            </span>
            <span className="muted small">
              {String(r.total_ms)} ms
              {r.status !== null && ` · ${formatBytes(r.body_bytes)}`}
              {r.remote_addr !== null && ` · ${r.remote_addr}`}
              {r.redirects > 0 && ` · ${String(r.redirects)} redirect${r.redirects === 1 ? '' : 's'}`}
            </span>
            <span className="spacer" />
            {r.status !== null && (
              <Tabs<ResTab>
                label="Response"
                value={resTab}
                onChange={setResTab}
                options={[
                  { id: 'body', label: 'Body' },
                  { id: 'headers', label: `Headers (${String(r.headers.length)})` },
                  { id: 'timing', label: 'Timing' },
                ]}
              />
            )}
          </div>
          {r.redacted > 0 && (
            <p className="muted small" data-testid="redacted-note">
              The response repeated this item’s credential {r.redacted === 1 ? 'once' : `${String(r.redacted)} times`}: shown as [redacted].
            </p>
          )}
          {r.status !== null && resTab === 'body' && (
            <>
              {r.body_view === 'empty' && <p className="muted small">No body.</p>}
              {r.body_view === 'binary' && (
                <p className="muted small">
                  {formatBytes(r.body_bytes)} of binary data{r.content_type !== null ? ` (${r.content_type})` : ''}, not shown.
                </p>
              )}
              {(r.body_view === 'json' || r.body_view === 'text') && (
                <pre className="response-body" data-testid="response-body" tabIndex={0}>
                  {r.body}
                </pre>
              )}
              {r.truncated && <p className="muted small">The body was cut at 2 MiB.</p>}
            </>
          )}
          {r.status !== null && resTab === 'headers' && (
            <table className="response-headers">
              <tbody>
                {r.headers.map(([k, v], i) => (
                  <tr key={`${k}-${String(i)}`}>
                    <th scope="row">{k}</th>
                    <td>
                      <code>{v}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {(r.status === null || resTab === 'timing') && (
            <dl className="timing" data-testid="timing">
              <dt>First byte</dt>
              <dd>{String(r.ttfb_ms)} ms</dd>
              <dt>Total</dt>
              <dd>{String(r.total_ms)} ms</dd>
              {r.final_url !== null && (
                <>
                  <dt>Answered by</dt>
                  <dd>
                    <code>{r.final_url}</code>
                  </dd>
                </>
              )}
              <dt>Sent</dt>
              <dd>{formatDateTime(r.at)}</dd>
            </dl>
          )}
        </div>
          </>
  );
}
