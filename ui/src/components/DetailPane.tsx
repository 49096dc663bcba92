import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import type { ItemDetail } from '../bindings/ItemDetail';
import type { ItemSummary } from '../bindings/ItemSummary';
import type { SecretField } from '../bindings/SecretField';
import {
  ACTION_LABEL,
  formatDate,
  formatDateTime,
  KIND_LABEL,
  placementText,
  relative,
  secretLabel,
  statusLine,
} from '../lib/format';
import {
  type Copied,
  type IpcError,
  itemCopy,
  itemCopyPlain,
  itemGet,
  itemReveal,
  type PlainField,
  toIpcError,
} from '../lib/ipc';
import { DetailCode } from './DetailCode';
import { Icon, KindIcon } from './Icons';
import { StatusBadge } from './StatusBadge';
import { TokenPanel } from './TokenPanel';
import { PreviousVersions } from './PreviousVersions';
import { RotateDialog } from './RotateDialog';
import { type ConsoleMemory, emptyDraft } from '../lib/request';

// The request console is its own chunk, loaded the first time an item's Requests tab opens.
const RequestConsole = lazy(() => import('./RequestConsole').then((m) => ({ default: m.RequestConsole })));

const MASK = '••••••••••••';

interface Props {
  id: string;
  /** The list's row, shown while the detail loads (no flash when moving with the arrows). */
  summary: ItemSummary | undefined;
  onEdit: (d: ItemDetail) => void;
  onDelete: (d: ItemDetail) => void;
  onCopied: (c: Copied, what: string) => void;
  /** A 2FA code copied (the Codes view's toast); default: onCopied(c, '2FA code'). */
  onCodeCopied?: (c: Copied) => void;
  /** After Mark rotated (the list shows the new status). */
  onRotated?: (d: ItemDetail) => void;
  /** Open the JWT debugger on one of this item's tokens (Rust reads it). */
  onOpenJwt?: (itemId: string, field: SecretField) => void;
  onError: (e: IpcError) => void;
  /** A 2FA item: show its live code in the Codes view. */
  onShowInCodes?: (id: string) => void;
  /** Which part of a credential's detail is shown (kept across items by the main view). */
  tab?: DetailTab;
  onTab?: (t: DetailTab) => void;
  /** The request console's drafts by item (kept by the main view while unlocked). */
  consoleMemory?: Map<string, ConsoleMemory>;
}

export type DetailTab = 'details' | 'requests';

/** Kinds whose secret can go on a request. */
export const REQUEST_KINDS = new Set(['api_key', 'bearer', 'basic', 'oauth2']);

function Field({ label, children, copy }: { label: string; children: React.ReactNode; copy?: React.ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd className={copy !== undefined ? 'fact-copyable' : undefined}>
        <span className="fact-value">{children}</span>
        {copy}
      </dd>
    </>
  );
}

/** A label inside a sentence: "Username" → "username", "Client ID" → "client ID", "URL" stays. */
function inSentence(label: string): string {
  return /^[A-Z][A-Z]/.test(label) ? label : label.charAt(0).toLowerCase() + label.slice(1);
}

/** The selected item. Mounted per item (keyed by id): revealed values die with it. */
export function DetailPane({
  id,
  summary,
  onEdit,
  onDelete,
  onCopied,
  onCodeCopied,
  onOpenJwt,
  onRotated,
  onError,
  onShowInCodes,
  tab = 'details',
  onTab,
  consoleMemory,
}: Props) {
  const [fallbackMemory] = useState(() => new Map<string, ConsoleMemory>());
  const [detail, setDetail] = useState<ItemDetail | null>(null);
  const [rotating, setRotating] = useState(false);
  const [failed, setFailed] = useState<IpcError | null>(null);
  const [revealed, setRevealed] = useState<Partial<Record<SecretField, string>>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const live = useRef(true);

  useEffect(() => {
    live.current = true;
    itemGet(id).then(
      (d) => {
        if (live.current) setDetail(d);
      },
      (e: unknown) => {
        if (live.current) setFailed(toIpcError(e));
      },
    );
    return () => {
      live.current = false;
    };
  }, [id]);

  /** After a reveal or copy: the history has a new event. */
  const reload = useCallback(async () => {
    try {
      const d = await itemGet(id);
      if (live.current) setDetail(d);
    } catch {
      // The item is still shown; the next selection reloads it.
    }
  }, [id]);

  if (failed) {
    return (
      <section className="detail detail-empty" aria-label="Item">
        <p className="banner banner-error" role="alert">
          {failed.message}
        </p>
      </section>
    );
  }
  if (!detail) {
    return (
      <section className="detail" aria-label="Item" aria-busy="true">
        {summary && (
          <header className="detail-head">
            <KindIcon kind={summary.kind} size={22} />
            <div className="detail-title">
              <h2 title={summary.name}>{summary.name}</h2>
              <p className="muted">{KIND_LABEL[summary.kind]}</p>
            </div>
          </header>
        )}
        <p className="muted">Loading…</p>
      </section>
    );
  }

  const reveal = async (field: SecretField) => {
    setBusy(`reveal-${field}`);
    try {
      const v = await itemReveal(detail.id, field);
      if (live.current) setRevealed((r) => ({ ...r, [field]: v }));
      void reload();
    } catch (e) {
      onError(toIpcError(e));
    } finally {
      if (live.current) setBusy(null);
    }
  };

  const hide = (field: SecretField) => {
    setRevealed((r) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== field)));
  };

  const copy = async (field: SecretField) => {
    setBusy(`copy-${field}`);
    try {
      const c = await itemCopy(detail.id, field);
      onCopied(c, secretLabel(detail.kind, field));
      void reload();
    } catch (e) {
      onError(toIpcError(e));
    } finally {
      if (live.current) setBusy(null);
    }
  };

  const copyPlain = async (field: PlainField, what: string) => {
    setBusy(`copy-${field}`);
    try {
      onCopied(await itemCopyPlain(detail.id, field), what);
    } catch (e) {
      onError(toIpcError(e));
    } finally {
      if (live.current) setBusy(null);
    }
  };

  const copyButton = (field: PlainField, what: string) => (
    <button
      type="button"
      className="small icon-only fact-copy"
      disabled={busy !== null}
      aria-label={`Copy ${inSentence(what)}`}
      title={`Copy ${inSentence(what)}`}
      onClick={() => void copyPlain(field, what)}
    >
      <Icon name="copy" size={14} />
    </button>
  );

  const secretFields: SecretField[] = (['value', 'access_token', 'refresh_token'] as const).filter(
    (f) => detail.secrets[f],
  );

  const d = detail;
  const canRequest = REQUEST_KINDS.has(d.kind);

  /** "Test this key": the console, with a GET of the service's "who am I" endpoint sent
   * at once (the key is attached in Rust, as for every request). */
  const testKey = () => {
    const url = d.recognized?.test_url;
    if (url == null) return;
    (consoleMemory ?? fallbackMemory).set(d.id, {
      draft: emptyDraft(url),
      result: null,
      savedName: null,
      answered: null,
      sendNow: true,
    });
    onTab?.('requests');
  };
  const secretList = (
    <div className="secrets">
      {secretFields.map((f) => {
        const label = secretLabel(d.kind, f);
        const value = revealed[f];
        return (
          <div className={`secret${value === undefined ? '' : ' revealed'}`} key={f}>
            <span className="secret-label">{label}</span>
            <div className="secret-actions">
              {value === undefined ? (
                <button
                  type="button"
                  className="small"
                  disabled={busy !== null}
                  aria-label={`Reveal ${label}`}
                  onClick={() => void reveal(f)}
                >
                  <Icon name="eye" size={14} /> Reveal
                </button>
              ) : (
                <button
                  type="button"
                  className="small"
                  aria-label={`Hide ${label}`}
                  onClick={() => {
                    hide(f);
                  }}
                >
                  <Icon name="eye-off" size={14} /> Hide
                </button>
              )}
              <button
                type="button"
                className="small"
                disabled={busy !== null}
                aria-label={`Copy ${label}`}
                onClick={() => void copy(f)}
              >
                <Icon name="copy" size={14} /> Copy
              </button>
            </div>
            <code className={`secret-value${value === undefined ? ' masked' : ''}`} data-testid={`secret-${f}`}>
              {value ?? MASK}
            </code>
          </div>
        );
      })}
    </div>
  );

  const shown: DetailTab = canRequest ? tab : 'details';
  return (
    <section className="detail" aria-label={`Item ${d.name}`} tabIndex={-1} data-testid="detail">
      <header className="detail-head">
        <KindIcon kind={d.kind} size={22} />
        <div className="detail-title">
          <h2 title={d.name}>{d.name}</h2>
          <p className="muted">{KIND_LABEL[d.kind]}</p>
        </div>
        <div className="detail-actions">
          {d.kind !== 'totp' && d.secrets.value && (
            <button
              type="button"
              title="Enter the new value; the old one stays readable for a grace period you choose"
              onClick={() => {
                setRotating(true);
              }}
            >
              Mark rotated
            </button>
          )}
          {d.kind === 'totp' && onShowInCodes && (
            <button
              type="button"
              onClick={() => {
                onShowInCodes(d.id);
              }}
            >
              <Icon name="codes" size={14} /> Show in Codes
            </button>
          )}
          <button
            type="button"
            onClick={() => {
              onEdit(d);
            }}
          >
            Edit
          </button>
          <button
            type="button"
            className="danger"
            onClick={() => {
              onDelete(d);
            }}
          >
            Delete
          </button>
        </div>
      </header>

      <div className="detail-status">
        <StatusBadge status={d.status} />
        <span data-testid="status-line">{statusLine(d)}</span>
        {d.expires_at !== null && <span className="muted">· {formatDate(d.expires_at)}</span>}
      </div>

      {canRequest && (
        <div className="segmented detail-tabs" role="tablist" aria-label="Item view">
          {(
            [
              ['details', 'Details'],
              ['requests', 'Requests'],
            ] as const
          ).map(([t, label]) => (
            <button
              key={t}
              type="button"
              role="tab"
              aria-selected={shown === t}
              onClick={() => {
                onTab?.(t);
              }}
            >
              {label}
            </button>
          ))}
        </div>
      )}

      {shown === 'requests' ? (
        <Suspense fallback={null}>
          <RequestConsole
            detail={d}
            memory={consoleMemory ?? fallbackMemory}
            onEditItem={() => {
              onEdit(d);
            }}
            onChanged={() => void reload()}
          />
        </Suspense>
      ) : (
        <>

      {d.kind === 'totp' && (
        <DetailCode
          id={d.id}
          otpType={d.otp?.type ?? 'totp'}
          onCopied={(c) => {
            if (onCodeCopied) onCodeCopied(c);
            else onCopied(c, '2FA code');
          }}
          onError={onError}
        />
      )}

      {secretFields.length > 0 &&
        (d.kind === 'totp' ? (
          <details className="secret-section">
            <summary>Advanced</summary>
            <p className="muted small">The secret (seed) makes every code: keep it hidden. Copy code above copies the code, never the seed.</p>
            {secretList}
          </details>
        ) : (
          secretList
        ))}

      <PreviousVersions key={d.id} detail={d} onCopied={onCopied} onAudited={() => void reload()} />

      <dl className="facts">
        {d.recognized !== null && (
          <Field label="Service">
            <span className="recognized">
              <span data-testid="recognized">{d.recognized.label}</span>
              {d.recognized.test_url !== null && canRequest && (
                <button type="button" className="small" onClick={testKey}>
                  Test this key
                </button>
              )}
            </span>
          </Field>
        )}
        {d.url !== null && (
          <Field label="URL" copy={copyButton('url', 'URL')}>
            <span className="link-text">{d.url}</span>
          </Field>
        )}
        {d.username !== null && (
          <Field
            label={d.kind === 'totp' ? 'Account' : 'Username'}
            copy={copyButton('username', d.kind === 'totp' ? 'Account' : 'Username')}
          >
            {d.username}
          </Field>
        )}
        {d.issuer !== null && <Field label="Issuer">{d.issuer}</Field>}
        {d.placement !== null && <Field label="Placement">{placementText(d.placement)}</Field>}
        {d.oauth !== null && (
          <>
            <Field label="Client ID" copy={copyButton('client_id', 'Client ID')}>
              <code>{d.oauth.client_id}</code>
            </Field>
            {d.oauth.issuer != null && <Field label="Issuer">{d.oauth.issuer}</Field>}
            {d.oauth.token_url != null && <Field label="Token URL">{d.oauth.token_url}</Field>}
            <Field label="Client auth">
              {d.oauth.auth === 'basic' ? 'HTTP Basic (client_secret_basic)' : 'Form body (client_secret_post)'}
            </Field>
            {(d.oauth.scopes ?? []).length > 0 && (
              <Field label="Scopes">{(d.oauth.scopes ?? []).join(' ')}</Field>
            )}
            {d.oauth.audience != null && <Field label="Audience">{d.oauth.audience}</Field>}
            {d.oauth.access_expires_at != null && (
              <Field label="Access token">expires {relative(d.oauth.access_expires_at)}</Field>
            )}
            {d.oauth.refresh_expires_at != null && (
              <Field label="Refresh token">expires {relative(d.oauth.refresh_expires_at)}</Field>
            )}
          </>
        )}
        {d.otp !== null && (
          <Field label="Code">
            {d.otp.type.toUpperCase()} · {d.otp.algorithm} · {String(d.otp.digits)} digits
            {d.otp.type === 'hotp' ? '' : ` · every ${String(d.otp.period)} s`}
          </Field>
        )}
        <Field label="Reference" copy={copyButton('reference', 'Reference')}>
          <code className="reference" data-testid="reference" title="Use it in a .env template or .keywright.toml: keywright run, keywright inject">
            {d.reference}
          </code>
        </Field>
        {d.tags.length > 0 && (
          <Field label="Tags">
            <span className="tags">
              {d.tags.map((t) => (
                <span key={t} className="tag">
                  {t}
                </span>
              ))}
            </span>
          </Field>
        )}
        <Field label="Rotation">
          {d.rotate_every_days !== null && d.rotate_every_days > 0
            ? `every ${String(d.rotate_every_days)} days${d.rotation_due_at !== null ? ` · next by ${formatDate(d.rotation_due_at)}` : ''}`
            : 'no reminder'}
        </Field>
        <Field label="Created">
          <span title={formatDateTime(d.created_at)}>{formatDate(d.created_at)}</span>
        </Field>
        <Field label="Updated">
          <span title={formatDateTime(d.updated_at)}>{relative(d.updated_at)}</span>
        </Field>
        <Field label="Last rotated">
          <span title={formatDateTime(d.last_rotated_at)}>{relative(d.last_rotated_at)}</span>
        </Field>
      </dl>

      {(d.kind === 'oauth2' || d.kind === 'bearer' || (d.kind === 'api_key' && d.token_expires_at !== null)) && (
        <TokenPanel detail={d} onChanged={() => void reload()} {...(onOpenJwt ? { onOpenJwt } : {})} />
      )}

      {d.secrets.notes && (
        <div className="notes">
          <div className="notes-head">
            <h3>Notes</h3>
            {revealed.notes === undefined ? (
              <button type="button" className="small" disabled={busy !== null} onClick={() => void reveal('notes')}>
                Show
              </button>
            ) : (
              <button
                type="button"
                className="small"
                onClick={() => {
                  hide('notes');
                }}
              >
                Hide
              </button>
            )}
          </div>
          {revealed.notes !== undefined ? (
            <pre className="notes-body" data-testid="secret-notes">
              {revealed.notes}
            </pre>
          ) : (
            <p className="muted small">Notes are encrypted like a secret and hidden until shown.</p>
          )}
        </div>
      )}

      <div className="history">
        <h3>History</h3>
        {d.history.length === 0 ? (
          <p className="muted small">No events yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Action</th>
                <th scope="col">When</th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {d.history.slice(0, 50).map((ev, i) => (
                <tr key={`${String(ev.at)}-${String(i)}`}>
                  <td>
                    {ACTION_LABEL[ev.action]}
                    {ev.detail != null && ev.detail !== '' && <span className="muted"> · {ev.detail}</span>}
                  </td>
                  <td title={formatDateTime(ev.at)}>{relative(ev.at)}</td>
                  <td>{ev.actor === 'app' ? 'App' : 'CLI'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
        </>
      )}
      {rotating && (
        <RotateDialog
          item={d}
          onClose={() => {
            setRotating(false);
          }}
          onRotated={(nd) => {
            setRotating(false);
            setDetail(nd);
            onRotated?.(nd);
          }}
        />
      )}
    </section>
  );
}
