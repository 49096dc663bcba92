import { type KeyboardEvent, useCallback, useEffect, useRef, useState } from 'react';
import type { ItemDetail } from '../bindings/ItemDetail';
import { formatDateTime, relative } from '../lib/format';
import {
  type HistoryEntry,
  type IpcError,
  oauthRenew,
  type RequestResult,
  requestCancel,
  requestFromCurl,
  requestHistory,
  requestSave,
  requestSaved,
  requestSavedDelete,
  requestSend,
  type SavedRequest,
  toIpcError,
} from '../lib/ipc';
import {
  type BodyMode,
  type ConsoleMemory,
  credentialText,
  DIAGNOSIS_TITLE,
  type Draft,
  emptyDraft,
  formatBytes,
  fromHistory,
  fromInput,
  METHODS,
  redactedIn,
  retryLeft,
  type Row,
  toInput,
  tone,
} from '../lib/request';
import { Dialog } from './Dialog';

interface Props {
  detail: ItemDetail;
  /** Drafts and last results by item, kept by the main view while the vault is open. */
  memory: Map<string, ConsoleMemory>;
  /** "Edit key": open the item's edit form. */
  onEditItem: () => void;
  /** The item changed (a renewal): reload the detail. */
  onChanged: () => void;
}

type ReqTab = 'headers' | 'body' | 'options';
type ResTab = 'body' | 'headers' | 'timing';

const BODY_MODES: { mode: BodyMode; label: string }[] = [
  { mode: 'none', label: 'None' },
  { mode: 'json', label: 'JSON' },
  { mode: 'form', label: 'Form' },
  { mode: 'raw', label: 'Raw' },
];

function nowS(): number {
  return Math.floor(Date.now() / 1000);
}

/** A name for "Save" from the URL's path: `GET /v1/health` → `health`. */
function suggestName(d: Draft): string {
  try {
    const u = new URL(d.url);
    const last = u.pathname.split('/').filter(Boolean).pop();
    return last ?? u.host;
  } catch {
    return '';
  }
}

function RowsEditor({
  rows,
  onChange,
  namePlaceholder,
  valuePlaceholder,
  label,
}: {
  rows: Row[];
  onChange: (rows: Row[]) => void;
  namePlaceholder: string;
  valuePlaceholder: string;
  label: string;
}) {
  const set = (i: number, r: Partial<Row>) => {
    onChange(rows.map((x, j) => (j === i ? { ...x, ...r } : x)));
  };
  return (
    <div className="kv-rows">
      {rows.map((r, i) => (
        <div className="kv-row" key={i}>
          <input
            aria-label={`${label} ${String(i + 1)} name`}
            placeholder={namePlaceholder}
            value={r.name}
            spellCheck={false}
            onChange={(e) => {
              set(i, { name: e.target.value });
            }}
          />
          <input
            aria-label={`${label} ${String(i + 1)} value`}
            placeholder={valuePlaceholder}
            value={r.value}
            spellCheck={false}
            aria-invalid={r.value.includes('[redacted]') || undefined}
            onChange={(e) => {
              set(i, { value: e.target.value });
            }}
          />
          <button
            type="button"
            className="icon-button"
            aria-label={`Remove ${label.toLowerCase()} ${r.name || String(i + 1)}`}
            onClick={() => {
              onChange(rows.filter((_, j) => j !== i));
            }}
          >
            ×
          </button>
        </div>
      ))}
      <button
        type="button"
        className="small link-button"
        onClick={() => {
          onChange([...rows, { name: '', value: '' }]);
        }}
      >
        + Add {label.toLowerCase()}
      </button>
    </div>
  );
}

function Tabs<T extends string>({
  value,
  options,
  onChange,
  label,
}: {
  value: T;
  options: { id: T; label: string }[];
  onChange: (v: T) => void;
  label: string;
}) {
  return (
    <div className="console-tabs" role="tablist" aria-label={label}>
      {options.map((o) => (
        <button
          key={o.id}
          type="button"
          role="tab"
          aria-selected={value === o.id}
          onClick={() => {
            onChange(o.id);
          }}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}

/** The request console of an item: write a request, send it with the item's credential
 * (attached in Rust), read the response and why it failed, fix it, send again. */
export function RequestConsole({ detail, memory, onEditItem, onChanged }: Props) {
  const d = detail;
  const remembered = memory.get(d.id);
  const [draft, setDraft] = useState<Draft>(remembered?.draft ?? emptyDraft(d.url ?? ''));
  const [result, setResult] = useState<RequestResult | null>(remembered?.result ?? null);
  const [savedName, setSavedName] = useState<string | null>(remembered?.savedName ?? null);
  const [error, setError] = useState<IpcError | null>(null);
  const [notes, setNotes] = useState<string[]>([]);
  const [sending, setSending] = useState<'send' | 'renew' | null>(null);
  const [reqTab, setReqTab] = useState<ReqTab>('headers');
  const [resTab, setResTab] = useState<ResTab>('body');
  const [history, setHistory] = useState<HistoryEntry[]>([]);
  const [saved, setSaved] = useState<SavedRequest[]>([]);
  const [saving, setSaving] = useState<string | null>(null);
  const [deleted, setDeleted] = useState<SavedRequest | null>(null);
  const [curl, setCurl] = useState<string | null>(null);
  const [curlError, setCurlError] = useState<string | null>(null);
  const [now, setNow] = useState(nowS);
  const live = useRef(true);

  // Remember the draft and result for this item (an edit of the item remounts the detail).
  useEffect(() => {
    memory.set(d.id, { draft, result, savedName });
  }, [memory, d.id, draft, result, savedName]);

  const loadLists = useCallback(async () => {
    try {
      const [h, s] = await Promise.all([requestHistory(d.id), requestSaved(d.id)]);
      if (live.current) {
        setHistory(h);
        setSaved(s);
      }
    } catch (e) {
      if (live.current) setError(toIpcError(e));
    }
  }, [d.id]);

  useEffect(() => {
    live.current = true;
    Promise.all([requestHistory(d.id), requestSaved(d.id)]).then(
      ([h, s]) => {
        if (!live.current) return;
        setHistory(h);
        setSaved(s);
      },
      (e: unknown) => {
        if (live.current) setError(toIpcError(e));
      },
    );
    return () => {
      live.current = false;
    };
  }, [d.id]);

  // The rate limit's countdown.
  const waiting = result !== null && result.diagnosis.kind === 'rate_limited' ? retryLeft(result, now) : 0;
  useEffect(() => {
    if (waiting <= 0) return;
    const t = setInterval(() => {
      setNow(nowS());
    }, 1000);
    return () => {
      clearInterval(t);
    };
  }, [waiting]);

  const timeoutBad = draft.timeout.trim() !== '' && !/^\d+$/.test(draft.timeout.trim());

  const send = async (retry = true) => {
    if (timeoutBad) {
      setError(null);
      setReqTab('options');
      return;
    }
    const hidden = redactedIn(draft);
    if (hidden.length > 0) {
      setNotes([`${hidden.join(', ')} still holds “[redacted]” from history: type the value again before sending.`]);
      return;
    }
    setSending('send');
    setError(null);
    try {
      const r = await requestSend(d.id, toInput(draft), retry);
      if (!live.current) return;
      setResult(r);
      setNow(nowS());
      setNotes([]);
      if (r.renewed) onChanged();
    } catch (e) {
      if (live.current) setError(toIpcError(e));
    } finally {
      if (live.current) setSending(null);
      void loadLists();
    }
  };

  const renewAndRetry = async () => {
    setSending('renew');
    setError(null);
    try {
      await oauthRenew(d.id);
      onChanged();
    } catch (e) {
      if (live.current) {
        setError(toIpcError(e));
        setSending(null);
      }
      return;
    }
    await send();
  };

  const keys = (e: KeyboardEvent<HTMLElement>) => {
    // Not from the Paste curl dialog (it is rendered inside the console).
    if (e.target instanceof Element && e.target.closest('[role=dialog]')) return;
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      if (sending === null) void send();
    }
  };

  const save = async (name: string) => {
    if (timeoutBad) {
      setReqTab('options');
      return;
    }
    setError(null);
    try {
      const s = await requestSave(d.id, name, toInput(draft));
      if (!live.current) return;
      setSavedName(s.name);
      setSaving(null);
      setDeleted(null);
      void loadLists();
    } catch (e) {
      if (live.current) setError(toIpcError(e));
    }
  };

  const remove = async (s: SavedRequest) => {
    try {
      await requestSavedDelete(d.id, s.id);
      if (!live.current) return;
      setDeleted(s);
      if (savedName === s.name) setSavedName(null);
      void loadLists();
    } catch (e) {
      if (live.current) setError(toIpcError(e));
    }
  };

  const undoDelete = async () => {
    if (deleted === null) return;
    try {
      await requestSave(d.id, deleted.name, deleted.request);
      if (!live.current) return;
      setDeleted(null);
      void loadLists();
    } catch (e) {
      if (live.current) setError(toIpcError(e));
    }
  };

  const openSaved = (s: SavedRequest) => {
    setDraft(fromInput(s.request));
    setSavedName(s.name);
    setNotes([]);
    setError(null);
  };

  const openHistory = (h: HistoryEntry) => {
    const { draft: next, notes: n } = fromHistory(h);
    setDraft(next);
    setSavedName(null);
    setNotes(n);
    setError(null);
    setReqTab('headers');
  };

  const parseCurl = async () => {
    if (curl === null) return;
    try {
      const c = await requestFromCurl(curl);
      if (!live.current) return;
      setDraft(fromInput(c.request));
      setSavedName(null);
      setNotes(c.dropped.map((x) => `From the curl command: ${x}.`));
      setCurl(null);
      setCurlError(null);
      setReqTab(c.request.body.kind === 'none' ? 'headers' : 'body');
    } catch (e) {
      setCurlError(toIpcError(e).message);
    }
  };

  const formatJson = () => {
    try {
      const v: unknown = JSON.parse(draft.bodyText);
      setDraft((x) => ({ ...x, bodyText: JSON.stringify(v, null, 2) }));
    } catch (e) {
      setError(toIpcError(new Error(`The JSON body does not parse: ${e instanceof Error ? e.message : String(e)}`)));
    }
  };

  const fieldError = (f: string) => (error?.field?.toLowerCase() === f ? error.message : null);
  const headerCount = draft.headers.filter((h) => h.name.trim() !== '').length;
  const r = result;
  const action = r?.diagnosis.action ?? null;

  const fixButton = () => {
    if (r === null || action === null) return null;
    switch (action) {
      case 'renew_and_retry':
        return d.kind === 'oauth2' ? (
          <button type="button" className="small primary" disabled={sending !== null} onClick={() => void renewAndRetry()}>
            {sending === 'renew' ? 'Renewing…' : 'Renew & retry'}
          </button>
        ) : (
          <button type="button" className="small primary" onClick={onEditItem}>
            Edit token
          </button>
        );
      case 'wait_and_retry':
        return (
          <button
            type="button"
            className="small primary"
            disabled={sending !== null || waiting > 0}
            data-testid="retry-countdown"
            onClick={() => void send()}
          >
            {waiting > 0 ? `Retry in ${String(waiting)} s` : 'Retry now'}
          </button>
        );
      case 'edit_key':
        return (
          <button type="button" className="small primary" onClick={onEditItem}>
            {d.kind === 'basic' ? 'Edit password' : d.kind === 'oauth2' ? 'Edit client' : 'Edit key'}
          </button>
        );
      case 'check_scopes':
        return d.kind === 'oauth2' ? (
          <button type="button" className="small" onClick={onEditItem}>
            Edit scopes
          </button>
        ) : null;
      case 'retry':
        return (
          <button type="button" className="small" disabled={sending !== null} onClick={() => void send()}>
            Retry
          </button>
        );
      case 'check_allow_list':
        return null;
    }
  };

  return (
    <section className="console" aria-label="Request console" data-testid="request-console" onKeyDown={keys}>
      {(saved.length > 0 || deleted !== null) && (
        <div className="saved-bar" aria-label="Saved requests">
          <span className="muted small">Saved</span>
          {saved.map((s) => (
            <span key={s.id} className={`saved-chip${savedName === s.name ? ' current' : ''}`}>
              <button
                type="button"
                className="saved-open"
                title={`${s.request.method.toUpperCase()} ${s.request.url}`}
                onClick={() => {
                  openSaved(s);
                }}
              >
                <span className="method-tag">{s.request.method.toUpperCase()}</span> {s.name}
              </button>
              <button
                type="button"
                className="saved-remove"
                aria-label={`Delete saved request ${s.name}`}
                onClick={() => void remove(s)}
              >
                ×
              </button>
            </span>
          ))}
          {deleted !== null && (
            <span className="small muted" role="status">
              Deleted “{deleted.name}”.{' '}
              <button type="button" className="link-button small" onClick={() => void undoDelete()}>
                Undo
              </button>
            </span>
          )}
        </div>
      )}

      <div className="request-line">
        <select
          aria-label="Method"
          value={METHODS.includes(draft.method as (typeof METHODS)[number]) ? draft.method : 'GET'}
          onChange={(e) => {
            const method = e.target.value;
            setDraft((x) => ({ ...x, method }));
          }}
        >
          {METHODS.map((m) => (
            <option key={m}>{m}</option>
          ))}
        </select>
        <input
          className="url-input"
          aria-invalid={fieldError('url') !== null || undefined}
          aria-label="URL"
          placeholder="https://api.example.com/v1/me"
          value={draft.url}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => {
            const url = e.target.value;
            setDraft((x) => ({ ...x, url }));
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey) {
              e.preventDefault();
              if (sending === null) void send();
            }
          }}
        />
        {sending === 'send' ? (
          <button type="button" onClick={() => void requestCancel()}>
            Cancel
          </button>
        ) : (
          <button
            type="button"
            className="primary"
            disabled={sending !== null || draft.url.trim() === ''}
            onClick={() => void send()}
            title="Send (Enter in the URL, Ctrl+Enter anywhere)"
          >
            Send
          </button>
        )}
      </div>
      <p className="muted small credential-line">
        Sends <code>{credentialText(d)}</code> from this item, attached in Rust.
      </p>

      <div className="console-toolbar">
        <Tabs<ReqTab>
          label="Request"
          value={reqTab}
          onChange={setReqTab}
          options={[
            { id: 'headers', label: headerCount > 0 ? `Headers (${String(headerCount)})` : 'Headers' },
            { id: 'body', label: draft.bodyMode === 'none' ? 'Body' : `Body (${draft.bodyMode.toUpperCase()})` },
            { id: 'options', label: 'Options' },
          ]}
        />
        <span className="spacer" />
        <button
          type="button"
          className="small"
          onClick={() => {
            setCurl('');
            setCurlError(null);
          }}
        >
          Paste curl
        </button>
        <button
          type="button"
          className="small"
          disabled={draft.url.trim() === ''}
          onClick={() => {
            setSaving(savedName ?? suggestName(draft));
          }}
        >
          Save…
        </button>
      </div>

      {saving !== null && (
        <form
          className="save-form"
          onSubmit={(e) => {
            e.preventDefault();
            void save(saving);
          }}
        >
          <input
            aria-label="Saved request name"
            placeholder="Health check"
            value={saving}
            autoFocus
            maxLength={80}
            aria-invalid={fieldError('name') !== null || undefined}
            onChange={(e) => {
              setSaving(e.target.value);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                e.stopPropagation();
                setSaving(null);
              }
            }}
          />
          <button type="submit" className="small primary" disabled={saving.trim() === ''}>
            {saved.some((s) => s.name.toLowerCase() === saving.trim().toLowerCase()) ? 'Replace' : 'Save'}
          </button>
          <button
            type="button"
            className="small"
            onClick={() => {
              setSaving(null);
            }}
          >
            Cancel
          </button>
        </form>
      )}

      <div className="console-pane">
        {reqTab === 'headers' && (
          <RowsEditor
            label="Header"
            rows={draft.headers}
            namePlaceholder="Accept"
            valuePlaceholder="application/json"
            onChange={(headers) => {
              setDraft((x) => ({ ...x, headers }));
            }}
          />
        )}
        {reqTab === 'body' && (
          <div className="body-editor">
            <div className="body-modes" role="radiogroup" aria-label="Body">
              {BODY_MODES.map((m) => (
                <label key={m.mode} className="check small">
                  <input
                    type="radio"
                    name={`body-${d.id}`}
                    checked={draft.bodyMode === m.mode}
                    onChange={() => {
                      setDraft((x) => ({ ...x, bodyMode: m.mode }));
                    }}
                  />
                  {m.label}
                </label>
              ))}
              {draft.bodyMode === 'json' && (
                <button type="button" className="small link-button" onClick={formatJson}>
                  Format
                </button>
              )}
            </div>
            {(draft.bodyMode === 'json' || draft.bodyMode === 'raw') && (
              <textarea
                aria-label="Body text"
                className="body-text"
                aria-invalid={fieldError('body') !== null || undefined}
                spellCheck={false}
                rows={8}
                placeholder={draft.bodyMode === 'json' ? '{\n  "name": "value"\n}' : 'text to send'}
                value={draft.bodyText}
                onChange={(e) => {
                  const bodyText = e.target.value;
                  setDraft((x) => ({ ...x, bodyText }));
                }}
              />
            )}
            {draft.bodyMode === 'form' && (
              <RowsEditor
                label="Field"
                rows={draft.form}
                namePlaceholder="name"
                valuePlaceholder="value"
                onChange={(form) => {
                  setDraft((x) => ({ ...x, form }));
                }}
              />
            )}
            {draft.bodyMode === 'none' && <p className="muted small">No body is sent.</p>}
          </div>
        )}
        {reqTab === 'options' && (
          <label className="field-inline small">
            Timeout (seconds)
            <input
              aria-label="Timeout in seconds"
              inputMode="numeric"
              placeholder="30"
              value={draft.timeout}
              aria-invalid={timeoutBad || fieldError('timeout') !== null || undefined}
              onChange={(e) => {
                const timeout = e.target.value;
                setDraft((x) => ({ ...x, timeout }));
              }}
            />
            {timeoutBad && <span className="field-error">a whole number of seconds, 1 to 300</span>}
          </label>
        )}
        <p className="muted small hint">
          <code>{'{{totp:NAME}}'}</code> puts a 2FA item’s current code in the URL, a header or the body.
        </p>
      </div>

      {notes.length > 0 && (
        <div className="banner banner-info" role="note">
          <div>
            {notes.map((n) => (
              <p key={n}>{n}</p>
            ))}
          </div>
        </div>
      )}
      {error !== null && (
        <div className="banner banner-error" role="alert" data-testid="console-error">
          <span>{error.message}</span>
        </div>
      )}

      {r !== null && (
        <div className="response" data-testid="response">
          <div className={`diagnosis diagnosis-${tone(r.diagnosis.kind)}`} role="status" data-testid="diagnosis">
            <div className="diagnosis-text">
              <strong data-kind={r.diagnosis.kind}>{DIAGNOSIS_TITLE[r.diagnosis.kind]}</strong>
              <span>{r.diagnosis.message}</span>
              {r.renewed && <span className="muted small">The OAuth token was renewed for this request.</span>}
            </div>
            {fixButton()}
          </div>
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
      )}

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
                    openHistory(h);
                  }}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') {
                      e.preventDefault();
                      openHistory(h);
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

      {curl !== null && (
        <Dialog
          title="Paste a curl command"
          subtitle="Its URL, method, headers and body fill the editor. Credentials in it are left out: this item’s is attached."
          onClose={() => {
            setCurl(null);
          }}
          closeOnOutside={false}
          wide
        >
          <div className="dialog-body">
            <textarea
              aria-label="curl command"
              className="body-text"
              rows={8}
              spellCheck={false}
              data-autofocus
              placeholder={"curl -X POST https://api.example.com/v1/things \\\n  -H 'Content-Type: application/json' \\\n  -d '{\"name\":\"x\"}'"}
              value={curl}
              onChange={(e) => {
                setCurl(e.target.value);
              }}
            />
            {curlError !== null && (
              <p className="field-error" role="alert">
                {curlError}
              </p>
            )}
          </div>
          <footer className="dialog-foot dialog-foot-bar">
            <button
              type="button"
              onClick={() => {
                setCurl(null);
              }}
            >
              Cancel
            </button>
            <button type="button" className="primary" disabled={curl.trim() === ''} onClick={() => void parseCurl()}>
              Use this request
            </button>
          </footer>
        </Dialog>
      )}
    </section>
  );
}
