// The JWT debugger: a full-width screen like jwt.io, but local. Paste a token on the left;
// its header, claims and raw JSON on the right, every check named, and a Verify section
// (shared secret, PEM / JWK, JWKS URL, issuer, or an item's value).
//
// Rust decodes and verifies. A pasted token lives only in this component's state (and the
// paste box); an item's token never comes to the window at all.
import { type SubmitEvent, useCallback, useEffect, useId, useRef, useState } from 'react';
import type { SecretField } from '../bindings/SecretField';
import { formatDateTime, relative } from '../lib/format';
import {
  type IpcError,
  jwtCopy,
  jwtInspect,
  jwtInspectItem,
  type JwtKey,
  type JwtReport,
  type JwtVerify,
  toIpcError,
} from '../lib/ipc';

/** An item whose token the debugger opens on. */
export interface JwtItemSource {
  id: string;
  name: string;
  field: SecretField;
}

export interface JwtViewProps {
  /** Open on this item's token: Rust reads and decodes it; it never comes to the window. */
  item?: JwtItemSource | null;
  /** Items whose value can verify a signature (a shared secret, a PEM or a JWK). */
  keyItems?: readonly { id: string; name: string }[];
  /** Shown as a Close button when given (e.g. when opened from an item). */
  onClose?: () => void;
}

type KeyKind = JwtKey['kind'];
type Tab = 'decoded' | 'header' | 'claims';

const KEY_LABEL: Record<KeyKind, string> = {
  hs_secret: 'Shared secret',
  key: 'Public key',
  jwks_url: 'JWKS URL',
  issuer: 'Issuer',
  item: 'Item',
};

const FIELD_LABEL: Record<SecretField, string> = {
  value: 'token',
  notes: 'notes',
  access_token: 'access token',
  refresh_token: 'refresh token',
};

/** Claims shown first, in this order; the rest follow as sent. */
const CLAIM_ORDER = ['iss', 'sub', 'aud', 'azp', 'client_id', 'scope', 'exp', 'nbf', 'iat', 'auth_time', 'jti'];
const TIME_CLAIMS = new Set(['exp', 'nbf', 'iat', 'auth_time', 'updated_at']);
const RESULT_MARK = { pass: '✓', fail: '✗', skipped: '–' } as const;
const RESULT_TEXT = { pass: 'passed', fail: 'failed', skipped: 'not checked' } as const;
/** The input each verification error belongs to (`IpcError.field`). */
const VERIFY_FIELDS = new Set(['secret', 'key', 'jwks_url', 'issuer', 'key_item']);

function valueText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function ordered(claims: Record<string, unknown>): [string, unknown][] {
  const rank = (k: string) => {
    const i = CLAIM_ORDER.indexOf(k);
    return i < 0 ? CLAIM_ORDER.length : i;
  };
  return Object.entries(claims).sort(([a], [b]) => rank(a) - rank(b));
}

/** The key a token most likely needs: HS* a shared secret, one with an https issuer that
 * issuer's keys, anything else a public key. */
function suggestedKey(r: JwtReport): KeyKind {
  if (r.alg.startsWith('HS')) return 'hs_secret';
  const iss = r.claims.iss;
  if (typeof iss === 'string' && /^https?:\/\//.test(iss)) return 'issuer';
  return 'key';
}

function Claim({ name, value }: { name: string; value: unknown }) {
  return (
    <div className="jwt-claim">
      <dt>{name}</dt>
      <dd>
        {TIME_CLAIMS.has(name) && typeof value === 'number' ? (
          <>
            <code>{String(value)}</code>{' '}
            <span className="jwt-time" title={new Date(value * 1000).toISOString()}>
              {formatDateTime(value)} · {relative(value)}
            </span>
          </>
        ) : (
          <code>{valueText(value)}</code>
        )}
      </dd>
    </div>
  );
}

export function JwtView({ item = null, keyItems = [], onClose }: JwtViewProps) {
  const id = useId();
  const [fromItem, setFromItem] = useState(item !== null);
  const [token, setToken] = useState('');
  const tokenRef = useRef('');
  const [report, setReport] = useState<JwtReport | null>(null);
  const [decodeError, setDecodeError] = useState<string | null>(null);
  const [decoding, setDecoding] = useState(false);
  const [tab, setTab] = useState<Tab>('decoded');
  const seq = useRef(0);

  const [keyKind, setKeyKind] = useState<KeyKind>('hs_secret');
  const kindTouched = useRef(false);
  const [secret, setSecret] = useState('');
  const [base64, setBase64] = useState(false);
  const [keyText, setKeyText] = useState('');
  const [jwksUrl, setJwksUrl] = useState('');
  const [issuerUrl, setIssuerUrl] = useState('');
  const [keyItem, setKeyItem] = useState(keyItems[0]?.id ?? '');
  const [expectIss, setExpectIss] = useState('');
  const [expectAud, setExpectAud] = useState('');
  const [verifying, setVerifying] = useState(false);
  const [verifyError, setVerifyError] = useState<IpcError | null>(null);
  const [copied, setCopied] = useState<string | null>(null);

  // The pasted token lives in this component only: wiped when it goes away.
  useEffect(
    () => () => {
      tokenRef.current = '';
      seq.current += 1;
    },
    [],
  );

  const run = useCallback(
    async (verify: JwtVerify | null) => {
      const n = ++seq.current;
      const r =
        fromItem && item !== null
          ? await jwtInspectItem(item.id, item.field, verify)
          : await jwtInspect(tokenRef.current, verify);
      return n === seq.current ? r : null;
    },
    [fromItem, item],
  );

  const show = useCallback((r: JwtReport) => {
    setReport(r);
    setDecodeError(null);
    if (!kindTouched.current) {
      const k = suggestedKey(r);
      setKeyKind(k);
      const iss = r.claims.iss;
      if (k === 'issuer' && typeof iss === 'string') setIssuerUrl((prev) => (prev === '' ? iss : prev));
    }
  }, []);

  // Decode on every change of the token (shortly after typing stops); a change drops the
  // last verification, which was of another token.
  useEffect(() => {
    if (!fromItem && token.trim() === '') return;
    let live = true;
    const timer = window.setTimeout(
      () => {
        setDecoding(true);
        run(null).then(
          (r) => {
            if (!live || r === null) return;
            show(r);
            setDecoding(false);
          },
          (e: unknown) => {
            if (!live) return;
            setReport(null);
            setDecodeError(toIpcError(e).message);
            setDecoding(false);
          },
        );
      },
      fromItem ? 0 : 200,
    );
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [token, fromItem, run, show]);

  const changeToken = (v: string) => {
    tokenRef.current = v;
    setToken(v);
    setVerifyError(null);
    if (v.trim() === '') {
      seq.current += 1;
      setReport(null);
      setDecodeError(null);
      setDecoding(false);
    }
  };

  const verifyRequest = (): JwtVerify => {
    const key: JwtKey = (() => {
      switch (keyKind) {
        case 'hs_secret':
          return { kind: 'hs_secret', secret, base64 };
        case 'key':
          return { kind: 'key', key: keyText };
        case 'jwks_url':
          return { kind: 'jwks_url', url: jwksUrl };
        case 'issuer':
          return { kind: 'issuer', issuer: issuerUrl };
        case 'item':
          return { kind: 'item', id: keyItem };
      }
    })();
    return { key, issuer: expectIss.trim() === '' ? null : expectIss, audience: expectAud.trim() === '' ? null : expectAud };
  };

  const verify = async (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (report === null || verifying) return;
    setVerifying(true);
    setVerifyError(null);
    try {
      const r = await run(verifyRequest());
      if (r !== null) show(r);
    } catch (err) {
      setVerifyError(toIpcError(err));
    } finally {
      setVerifying(false);
    }
  };

  const copy = async (what: 'Header' | 'Claims', text: string) => {
    try {
      const c = await jwtCopy(text);
      setCopied(
        c.clear_after_s === null
          ? `${what} copied.`
          : `${what} copied · the clipboard clears in ${String(c.clear_after_s)} s.`,
      );
    } catch (err) {
      setCopied(toIpcError(err).message);
    }
  };

  const fieldError = (field: string) =>
    verifyError?.field === field ? (
      <span id={`${id}-${field}-err`} className="field-error" role="alert">
        {verifyError.message}
      </span>
    ) : null;
  const invalid = (field: string) => ({
    'aria-invalid': verifyError?.field === field,
    'aria-describedby': verifyError?.field === field ? `${id}-${field}-err` : undefined,
  });
  const clearError = (field: string) => {
    if (verifyError && (verifyError.field === field || !VERIFY_FIELDS.has(verifyError.field ?? ''))) setVerifyError(null);
  };

  const kinds: KeyKind[] = ['hs_secret', 'key', 'jwks_url', 'issuer', ...(keyItems.length > 0 ? (['item'] as const) : [])];
  const failed = report?.checks.find((c) => c.result === 'fail');

  return (
    <section className="jwt-view" data-testid="jwt-view" aria-labelledby={`${id}-title`}>
      <header className="jwt-head">
        <div>
          <h2 id={`${id}-title`}>JWT debugger</h2>
          <p className="muted small">
            Decoded and verified on this computer. Nothing leaves it, except a request for the keys at a JWKS URL or
            issuer you name.
          </p>
        </div>
        {onClose && (
          <button type="button" onClick={onClose}>
            Close
          </button>
        )}
      </header>
      <div className="jwt-cols">
        <div className="jwt-left">
          {fromItem && item !== null ? (
            <div className="jwt-item-source" data-testid="jwt-item-source">
              <p>
                The {FIELD_LABEL[item.field]} of <strong>{item.name}</strong>, read in Rust: it is not shown here.
              </p>
              <button
                type="button"
                className="small"
                onClick={() => {
                  setFromItem(false);
                  setReport(null);
                }}
              >
                Paste a token instead
              </button>
            </div>
          ) : (
            <div className="field">
              <label className="field-label" htmlFor={`${id}-token`}>
                Token
              </label>
              <textarea
                id={`${id}-token`}
                className="jwt-token"
                data-testid="jwt-token"
                rows={10}
                spellCheck={false}
                autoComplete="off"
                autoCorrect="off"
                autoCapitalize="off"
                placeholder="Paste a JWT (eyJ…); Bearer before it is fine"
                value={token}
                aria-invalid={decodeError !== null}
                aria-describedby={decodeError !== null ? `${id}-token-err` : `${id}-token-hint`}
                onChange={(e) => {
                  changeToken(e.target.value);
                }}
              />
              {decodeError !== null ? (
                <span id={`${id}-token-err`} className="field-error" role="alert">
                  {decodeError}
                </span>
              ) : (
                <span id={`${id}-token-hint`} className="field-hint">
                  {decoding ? 'Decoding…' : 'Kept only on this screen; cleared when you leave it.'}
                </span>
              )}
              {token !== '' && (
                <button
                  type="button"
                  className="small jwt-clear"
                  onClick={() => {
                    changeToken('');
                  }}
                >
                  Clear
                </button>
              )}
            </div>
          )}

          <form className="jwt-verify" onSubmit={(e) => void verify(e)} noValidate aria-labelledby={`${id}-verify`}>
            <h3 id={`${id}-verify`}>Verify</h3>
            <div className="jwt-key-kinds" role="radiogroup" aria-label="Verify with">
              {kinds.map((k) => (
                <label key={k} className={`jwt-key-kind${keyKind === k ? ' on' : ''}`}>
                  <input
                    type="radio"
                    name={`${id}-kind`}
                    value={k}
                    checked={keyKind === k}
                    onChange={() => {
                      kindTouched.current = true;
                      setKeyKind(k);
                      setVerifyError(null);
                    }}
                  />
                  {KEY_LABEL[k]}
                </label>
              ))}
            </div>
            {keyKind === 'hs_secret' && (
              <div className="field">
                <label className="field-label" htmlFor={`${id}-secret`}>
                  Shared secret (HS256, HS384, HS512)
                </label>
                <input
                  id={`${id}-secret`}
                  type="password"
                  autoComplete="off"
                  value={secret}
                  {...invalid('secret')}
                  onChange={(e) => {
                    setSecret(e.target.value);
                    clearError('secret');
                  }}
                />
                {fieldError('secret')}
                <label className="check small">
                  <input
                    type="checkbox"
                    checked={base64}
                    onChange={(e) => {
                      setBase64(e.target.checked);
                      clearError('secret');
                    }}
                  />
                  The secret is base64 encoded
                </label>
              </div>
            )}
            {keyKind === 'key' && (
              <div className="field">
                <label className="field-label" htmlFor={`${id}-key`}>
                  Public key: PEM, or a JWK / JWK Set in JSON
                </label>
                <textarea
                  id={`${id}-key`}
                  className="jwt-key"
                  rows={5}
                  spellCheck={false}
                  autoComplete="off"
                  placeholder="-----BEGIN PUBLIC KEY-----"
                  value={keyText}
                  {...invalid('key')}
                  onChange={(e) => {
                    setKeyText(e.target.value);
                    clearError('key');
                  }}
                />
                {fieldError('key')}
              </div>
            )}
            {keyKind === 'jwks_url' && (
              <div className="field">
                <label className="field-label" htmlFor={`${id}-jwks`}>
                  JWKS URL
                </label>
                <input
                  id={`${id}-jwks`}
                  type="url"
                  spellCheck={false}
                  placeholder="https://login.example.com/.well-known/jwks.json"
                  value={jwksUrl}
                  {...invalid('jwks_url')}
                  onChange={(e) => {
                    setJwksUrl(e.target.value);
                    clearError('jwks_url');
                  }}
                />
                {fieldError('jwks_url') ?? <span className="field-hint">https, or http on this computer only.</span>}
              </div>
            )}
            {keyKind === 'issuer' && (
              <div className="field">
                <label className="field-label" htmlFor={`${id}-issuer`}>
                  Issuer
                </label>
                <input
                  id={`${id}-issuer`}
                  type="url"
                  spellCheck={false}
                  placeholder="https://login.example.com"
                  value={issuerUrl}
                  {...invalid('issuer')}
                  onChange={(e) => {
                    setIssuerUrl(e.target.value);
                    clearError('issuer');
                  }}
                />
                {fieldError('issuer') ?? (
                  <span className="field-hint">Its keys are found by OpenID discovery; the token must come from it.</span>
                )}
              </div>
            )}
            {keyKind === 'item' && (
              <div className="field">
                <label className="field-label" htmlFor={`${id}-item`}>
                  Item whose value is the secret or key
                </label>
                <select
                  id={`${id}-item`}
                  value={keyItem}
                  {...invalid('key_item')}
                  onChange={(e) => {
                    setKeyItem(e.target.value);
                    clearError('key_item');
                  }}
                >
                  {keyItems.map((k) => (
                    <option key={k.id} value={k.id}>
                      {k.name}
                    </option>
                  ))}
                </select>
                {fieldError('key_item')}
              </div>
            )}
            <div className="jwt-expect">
              <div className="field">
                <label className="field-label" htmlFor={`${id}-exp-iss`}>
                  Expected issuer <span className="muted">(optional)</span>
                </label>
                <input
                  id={`${id}-exp-iss`}
                  spellCheck={false}
                  value={expectIss}
                  onChange={(e) => {
                    setExpectIss(e.target.value);
                  }}
                />
              </div>
              <div className="field">
                <label className="field-label" htmlFor={`${id}-exp-aud`}>
                  Expected audience <span className="muted">(optional)</span>
                </label>
                <input
                  id={`${id}-exp-aud`}
                  spellCheck={false}
                  value={expectAud}
                  onChange={(e) => {
                    setExpectAud(e.target.value);
                  }}
                />
              </div>
            </div>
            {verifyError !== null && !VERIFY_FIELDS.has(verifyError.field ?? '') && (
              <p className="banner banner-error" role="alert">
                {verifyError.message}
              </p>
            )}
            <button type="submit" className="primary" disabled={report === null || verifying}>
              {verifying ? 'Verifying…' : 'Verify'}
            </button>
          </form>
        </div>

        <div className="jwt-right" aria-live="polite">
          {report === null ? (
            <p className="muted jwt-empty">
              {decodeError !== null ? 'Nothing to show: the token could not be read.' : 'Paste a token to see its header and claims.'}
            </p>
          ) : (
            <>
              <div
                className={`jwt-verdict ${report.verified === true ? 'ok' : report.verified === false ? 'bad' : 'none'}`}
                data-testid="jwt-verdict"
              >
                {report.verified === true
                  ? `Signature verified with ${report.key_source ?? 'the key'}; every check passed.`
                  : report.verified === false
                    ? `Not valid: ${failed?.label ?? 'a check'} failed.`
                    : 'Decoded; the signature is not checked yet: choose a key and Verify.'}
              </div>
              <div className="jwt-tabs" role="tablist" aria-label="Token parts">
                {(
                  [
                    ['decoded', 'Decoded'],
                    ['header', 'Header JSON'],
                    ['claims', 'Claims JSON'],
                  ] as const
                ).map(([t, label]) => (
                  <button
                    key={t}
                    type="button"
                    role="tab"
                    id={`${id}-tab-${t}`}
                    aria-selected={tab === t}
                    aria-controls={`${id}-panel`}
                    className={tab === t ? 'on' : ''}
                    onClick={() => {
                      setTab(t);
                    }}
                  >
                    {label}
                  </button>
                ))}
              </div>
              <div id={`${id}-panel`} role="tabpanel" aria-labelledby={`${id}-tab-${tab}`} className="jwt-panel">
                {tab === 'decoded' && (
                  <>
                    <h3>Header</h3>
                    <dl className="jwt-claims" data-testid="jwt-header">
                      {Object.entries(report.header).map(([k, v]) => (
                        <Claim key={k} name={k} value={v} />
                      ))}
                    </dl>
                    <h3>Claims</h3>
                    <dl className="jwt-claims" data-testid="jwt-claims">
                      {ordered(report.claims).map(([k, v]) => (
                        <Claim key={k} name={k} value={v} />
                      ))}
                    </dl>
                  </>
                )}
                {tab !== 'decoded' && (
                  <>
                    <pre className="jwt-json" data-testid={`jwt-${tab}-json`}>
                      {tab === 'header' ? report.header_json : report.claims_json}
                    </pre>
                    <button
                      type="button"
                      className="small"
                      onClick={() =>
                        void copy(tab === 'header' ? 'Header' : 'Claims', tab === 'header' ? report.header_json : report.claims_json)
                      }
                    >
                      Copy {tab === 'header' ? 'header' : 'claims'} JSON
                    </button>
                  </>
                )}
                {copied !== null && (
                  <p className="muted small" role="status">
                    {copied}
                  </p>
                )}
              </div>
              <h3>Checks</h3>
              <ul className="jwt-checks" data-testid="jwt-checks">
                {report.checks.map((c) => (
                  <li key={c.name} className={`jwt-check jwt-check-${c.result}`} data-check={c.name}>
                    <span className="jwt-check-mark" aria-hidden="true">
                      {RESULT_MARK[c.result]}
                    </span>
                    <span className="jwt-check-label">{c.label}</span>
                    <span className="visually-hidden"> {RESULT_TEXT[c.result]}: </span>
                    <span className="jwt-check-msg">{c.message}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      </div>
    </section>
  );
}
