import { useEffect, useRef, useState } from 'react';
import type { DeviceCodePrompt } from '../bindings/DeviceCodePrompt';
import type { ItemDetail } from '../bindings/ItemDetail';
import type { SecretField } from '../bindings/SecretField';
import type { TokenInspection } from '../bindings/TokenInspection';
import { countdown, formatDateTime, relative } from '../lib/format';
import {
  type IpcError,
  type LoginMethod,
  oauthLogin,
  oauthLoginCancel,
  oauthRenew,
  oauthSetAutoRenew,
  onDeviceCode,
  toIpcError,
  tokenInspect,
} from '../lib/ipc';
import { Dialog } from './Dialog';

interface Props {
  detail: ItemDetail;
  /** The item changed (renewed, logged in, inspected): read it again. */
  onChanged: () => void;
  /** Open the JWT debugger on this item's token (Rust reads it; it never comes here). */
  onOpenJwt?: (itemId: string, field: SecretField) => void;
}

type Banner = { tone: 'ok' | 'error'; text: string; action?: 'login' };

const GRANT_LABEL: Record<string, string> = {
  refresh_token: 'refresh token',
  client_credentials: 'client credentials',
  authorization_code: 'browser login',
  device_code: 'device code',
};

/** Claims shown first, in this order; the rest follow as sent. */
const CLAIM_ORDER = ['iss', 'sub', 'aud', 'scope', 'client_id', 'exp', 'nbf', 'iat'];
const TIME_CLAIMS = new Set(['exp', 'nbf', 'iat', 'auth_time']);

function claimText(v: unknown): string {
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** Whole seconds of the window's clock, ticking while mounted. */
function useNow(on: boolean): number {
  const [now, setNow] = useState(() => Math.floor(Date.now() / 1000));
  useEffect(() => {
    if (!on) return;
    const t = window.setInterval(() => {
      setNow(Math.floor(Date.now() / 1000));
    }, 1000);
    return () => {
      window.clearInterval(t);
    };
  }, [on]);
  return now;
}

/** The token tools of an item: the JWT inspector, and for OAuth2 items Renew and Log in. */
export function TokenPanel({ detail: d, onChanged, onOpenJwt }: Props) {
  const [inspection, setInspection] = useState<TokenInspection | null>(null);
  const [inspectError, setInspectError] = useState<string | null>(null);
  const [banner, setBanner] = useState<Banner | null>(null);
  const [busy, setBusy] = useState<'renew' | LoginMethod | 'inspect' | null>(null);
  const [device, setDevice] = useState<DeviceCodePrompt | null>(null);
  const live = useRef(true);
  const now = useNow(inspection !== null);

  useEffect(() => {
    live.current = true;
    const stop = onDeviceCode((p) => {
      if (live.current && p.item_id === d.id) setDevice(p);
    });
    return () => {
      live.current = false;
      stop();
    };
  }, [d.id]);

  const oauth = d.oauth;
  const field: SecretField | null =
    d.kind === 'oauth2' ? (d.secrets.access_token ? 'access_token' : null) : d.secrets.value ? 'value' : null;
  const interactive = oauth !== null && (oauth.grant === 'authorization_code' || oauth.grant === 'device_code');
  const needsLogin = d.status === 'reauth_required' || (interactive && !d.secrets.refresh_token && !d.secrets.access_token);

  const inspect = async () => {
    if (field === null) return;
    setBusy('inspect');
    setInspectError(null);
    try {
      const i = await tokenInspect(d.id, field);
      if (live.current) setInspection(i);
      onChanged();
    } catch (e) {
      const err = toIpcError(e);
      if (live.current)
        setInspectError(err.kind === 'malformed_token' ? `Not a JWT: ${err.message.replace(/^not a readable JWT: /, '')}` : err.message);
    } finally {
      if (live.current) setBusy(null);
    }
  };

  const failed = (e: IpcError) => {
    setBanner(e.kind === 'reauth_required' ? { tone: 'error', text: e.message, action: 'login' } : { tone: 'error', text: e.message });
  };

  const renew = async () => {
    setBusy('renew');
    setBanner(null);
    try {
      const o = await oauthRenew(d.id);
      if (!live.current) return;
      setInspection(null);
      setBanner({
        tone: 'ok',
        text: `Renewed with the ${GRANT_LABEL[o.grant ?? ''] ?? 'server'}${o.expires_at !== null ? ` · the access token expires ${relative(o.expires_at)}` : ''}`,
      });
      onChanged();
    } catch (e) {
      if (live.current) failed(toIpcError(e));
      onChanged();
    } finally {
      if (live.current) setBusy(null);
    }
  };

  const login = async (method: LoginMethod) => {
    setBusy(method);
    setBanner(null);
    try {
      const o = await oauthLogin(d.id, method);
      if (!live.current) return;
      setInspection(null);
      setBanner({
        tone: 'ok',
        text: `Logged in${o.expires_at !== null ? ` · the access token expires ${relative(o.expires_at)}` : ''}`,
      });
      onChanged();
    } catch (e) {
      if (live.current) failed(toIpcError(e));
    } finally {
      if (live.current) {
        setBusy(null);
        setDevice(null);
      }
    }
  };

  const cancelLogin = () => {
    void oauthLoginCancel();
  };

  const claims = inspection ? Object.entries(inspection.claims) : [];
  claims.sort(([a], [b]) => {
    const ia = CLAIM_ORDER.indexOf(a);
    const ib = CLAIM_ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
  });

  return (
    <div className="token-panel" data-testid="token-panel">
      <div className="token-head">
        <h3>{oauth !== null ? 'Token' : 'Token inspector'}</h3>
        <div className="token-actions">
          {field !== null && (
            <button type="button" className="small" disabled={busy !== null} onClick={() => void inspect()}>
              {busy === 'inspect' ? 'Decoding…' : inspection ? 'Decode again' : 'Inspect token'}
            </button>
          )}
          {field !== null && onOpenJwt && (
            <button
              type="button"
              className="small"
              data-testid="open-jwt"
              onClick={() => {
                onOpenJwt(d.id, field);
              }}
            >
              Verify in JWT debugger
            </button>
          )}
          {oauth !== null && (
            <>
              {(!interactive || d.secrets.refresh_token) && (
                <button type="button" className="small primary" disabled={busy !== null} onClick={() => void renew()}>
                  {busy === 'renew' ? 'Renewing…' : 'Renew'}
                </button>
              )}
              {(interactive || needsLogin) && (
                <>
                  <button type="button" className="small" disabled={busy !== null} onClick={() => void login('browser')}>
                    {busy === 'browser' ? 'Waiting for the browser…' : 'Log in'}
                  </button>
                  <button type="button" className="small" disabled={busy !== null} onClick={() => void login('device')}>
                    Log in with a code
                  </button>
                </>
              )}
              {busy === 'browser' && (
                <button type="button" className="small" onClick={cancelLogin}>
                  Cancel
                </button>
              )}
            </>
          )}
        </div>
      </div>
      {oauth !== null && (
        <p className="muted small">
          {needsLogin
            ? 'This client needs a person to log in before it has a token.'
            : oauth.access_expires_at != null
              ? `Access token ${oauth.access_expires_at > now ? 'expires' : 'expired'} ${relative(oauth.access_expires_at)}; renewed on use when it is due.`
              : d.secrets.access_token
                ? 'An access token is stored; its expiry is unknown.'
                : 'No access token yet: Renew gets one.'}
        </p>
      )}
      {oauth !== null && (!interactive || d.secrets.refresh_token) && (
        <label className="check small">
          <input
            type="checkbox"
            checked={oauth.auto_renew === true}
            disabled={busy !== null}
            onChange={(e) => {
              const on = e.target.checked;
              oauthSetAutoRenew(d.id, on).then(onChanged, (err: unknown) => {
                failed(toIpcError(err));
              });
            }}
          />
          Renew in the background before it expires (while Keywright runs)
        </label>
      )}
      {banner && (
        <div className={`banner ${banner.tone === 'ok' ? 'banner-ok' : 'banner-error'}`} role={banner.tone === 'ok' ? 'status' : 'alert'}>
          <span>{banner.text}</span>
          {banner.action === 'login' && (
            <button type="button" className="small" disabled={busy !== null} onClick={() => void login('browser')}>
              Log in again
            </button>
          )}
        </div>
      )}
      {inspectError !== null && <p className="muted small" role="note">{inspectError}</p>}
      {inspection && (
        <div className="inspector" data-testid="inspector">
          {inspection.expires_at !== null && (
            <p className={`token-countdown${inspection.expires_at <= now ? ' expired' : ''}`} data-testid="token-countdown">
              {inspection.expires_at > now ? `Expires in ${countdown(inspection.expires_at - now)}` : `Expired ${relative(inspection.expires_at)}`}
            </p>
          )}
          <dl className="claims">
            <dt>alg</dt>
            <dd>
              <code>{claimText(inspection.header.alg)}</code>
              {inspection.header.kid !== undefined && <span className="muted"> · kid {claimText(inspection.header.kid)}</span>}
              {inspection.header.typ !== undefined && <span className="muted"> · {claimText(inspection.header.typ)}</span>}
            </dd>
            {claims.map(([k, v]) => (
              <div key={k} className="claim-row">
                <dt>{k}</dt>
                <dd>
                  {TIME_CLAIMS.has(k) && typeof v === 'number' ? (
                    <span title={`${String(v)} · ${new Date(v * 1000).toISOString()}`}>
                      {formatDateTime(v)} <span className="muted">· {relative(v)}</span>
                    </span>
                  ) : (
                    <code>{claimText(v)}</code>
                  )}
                </dd>
              </div>
            ))}
          </dl>
          <p className="muted small">
            Decoded in Rust; the signature is not checked here (<code>keywright inspect --issuer</code> does).
          </p>
        </div>
      )}
      {device && (
        <Dialog title="Log in with a code" onClose={cancelLogin} closeOnOutside={false}>
          <div className="dialog-body device-login">
            <p>On any device, open</p>
            <p>
              <code className="device-uri">{device.verification_uri}</code>
            </p>
            <p>and enter the code</p>
            <p className="device-code" data-testid="device-code">
              {device.user_code}
            </p>
            <p className="muted small">Waiting for the login… the code expires {relative(device.expires_at)}.</p>
          </div>
          <footer className="dialog-foot dialog-foot-bar">
            <button type="button" onClick={cancelLogin}>
              Cancel
            </button>
          </footer>
        </Dialog>
      )}
    </div>
  );
}
