// The request being written: method and URL with Send, then headers, body and options,
// "Paste curl" and "Save…". Every change goes through `change` (the console marks an
// earlier answer as stale).
import type { Dispatch, SetStateAction } from 'react';
import type { SavedRequest } from '../../lib/ipc';
import { type BodyMode, type Draft, METHODS } from '../../lib/request';
import { RowsEditor, Tabs } from './parts';

export type ReqTab = 'headers' | 'body' | 'options';

const BODY_MODES: { mode: BodyMode; label: string }[] = [
  { mode: 'none', label: 'None' },
  { mode: 'json', label: 'JSON' },
  { mode: 'form', label: 'Form' },
  { mode: 'raw', label: 'Raw' },
];

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

interface Props {
  itemId: string;
  draft: Draft;
  change: (f: (d: Draft) => Draft) => void;
  /** What is attached, in words (`X-API-Key: ••••`). */
  credential: string;
  sending: 'send' | 'renew' | null;
  reqTab: ReqTab;
  setReqTab: (t: ReqTab) => void;
  /** The name being typed for "Save…", or null. */
  saving: string | null;
  setSaving: Dispatch<SetStateAction<string | null>>;
  saved: SavedRequest[];
  savedName: string | null;
  timeoutBad: boolean;
  fieldError: (field: string) => string | null;
  onSend: () => void;
  onCancel: () => void;
  onSave: (name: string) => void;
  onPasteCurl: () => void;
  onFormatJson: () => void;
}

export function RequestEditor({
  itemId,
  draft,
  change,
  credential,
  sending,
  reqTab,
  setReqTab,
  saving,
  setSaving,
  saved,
  savedName,
  timeoutBad,
  fieldError,
  onSend,
  onCancel,
  onSave,
  onPasteCurl,
  onFormatJson,
}: Props) {
  const headerCount = draft.headers.filter((h) => h.name.trim() !== '').length;
  return (
    <>
      <div className="request-line">
        <select
          aria-label="Method"
          value={METHODS.includes(draft.method as (typeof METHODS)[number]) ? draft.method : 'GET'}
          onChange={(e) => {
            const method = e.target.value;
            change((x) => ({ ...x, method }));
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
            change((x) => ({ ...x, url }));
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey) {
              e.preventDefault();
              if (sending === null) onSend();
            }
          }}
        />
        {sending === 'send' ? (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        ) : (
          <button
            type="button"
            className="primary"
            disabled={sending !== null || draft.url.trim() === ''}
            onClick={onSend}
            title="Send (Enter in the URL, Ctrl+Enter anywhere)"
          >
            Send
          </button>
        )}
      </div>
      <p className="muted small credential-line">
        Sends <code>{credential}</code> from this item, attached in Rust.
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
          onClick={onPasteCurl}
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
            onSave(saving);
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
              change((x) => ({ ...x, headers }));
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
                    name={`body-${itemId}`}
                    checked={draft.bodyMode === m.mode}
                    onChange={() => {
                      change((x) => ({ ...x, bodyMode: m.mode }));
                    }}
                  />
                  {m.label}
                </label>
              ))}
              {draft.bodyMode === 'json' && (
                <button type="button" className="small link-button" onClick={onFormatJson}>
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
                  change((x) => ({ ...x, bodyText }));
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
                  change((x) => ({ ...x, form }));
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
                change((x) => ({ ...x, timeout }));
              }}
            />
            {timeoutBad && <span className="field-error">a whole number of seconds, 1 to 300</span>}
          </label>
        )}
        <p className="muted small hint">
          <code>{'{{totp:NAME}}'}</code> puts a 2FA item’s current code in the URL, a header or the body.
        </p>
      </div>

    </>
  );
}
