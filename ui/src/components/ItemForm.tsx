import { type SubmitEvent, type ReactNode, useId, useRef, useState } from 'react';
import type { ItemDetail } from '../bindings/ItemDetail';
import type { Kind } from '../bindings/Kind';
import { KIND_LABEL, KINDS, VALUE_LABEL } from '../lib/format';
import { itemAdd, itemUpdate, otpLinkRead, toIpcError } from '../lib/ipc';
import {
  emptyForm,
  type FormErrors,
  formFromDetail,
  type FormValues,
  isOtpLink,
  secretRequired,
  toEdit,
  toInput,
  validate,
} from '../lib/itemForm';
import { Dialog } from './Dialog';
import { KindIcon } from './Icons';

interface Props {
  /** The item being edited; absent to add one. */
  editing?: ItemDetail;
  onSaved: (d: ItemDetail) => void;
  onClose: () => void;
  /** Offered with the TOTP kind: import many codes at once instead. */
  onImport?: () => void;
  /** The edited item changed or was deleted by another process while the form was open:
   * say so, keep what the user typed, and save a deleted item as a new one. */
  outside?: 'changed' | 'deleted' | null;
}

/** The inputs each kind shows, by server field name. */
function shownFields(kind: Kind): Set<string> {
  const all = ['name', 'tags', 'url', 'value', 'notes', 'expires_at', 'rotate_every_days', 'warn_days'];
  const per: Record<Kind, string[]> = {
    api_key: ['placement'],
    bearer: [],
    oauth2: ['client_id', 'oauth_issuer', 'token_url', 'auth', 'grant', 'scopes', 'audience', 'access_token', 'refresh_token'],
    basic: ['username'],
    totp: ['issuer', 'username', 'otp_type', 'algorithm', 'digits', 'period', 'counter'],
  };
  return new Set([...all, ...per[kind]]);
}

/** The error keys an input's change makes stale (a message may sit on a neighbour). */
const CLEARS: Partial<Record<keyof FormValues, string[]>> = {
  placement_in: ['placement', 'placement_in'],
  placement_name: ['placement'],
  oauth_issuer: ['oauth_issuer', 'token_url'],
  token_url: ['token_url', 'oauth_issuer'],
  otp_type: ['otp_type', 'digits', 'period', 'counter'],
};

const GRANTS: readonly (readonly [string, string])[] = [
  ['client_credentials', 'Client credentials (no login)'],
  ['authorization_code', 'Browser login (authorization code + PKCE)'],
  ['device_code', 'Device code (log in on another device)'],
];

const GRANT_HINT: Record<FormValues['grant'], string> = {
  client_credentials: 'The app gets tokens with the client ID and secret.',
  authorization_code: 'After saving, Log in opens your browser; the refresh token renews it after that.',
  device_code: 'After saving, Log in shows a code to enter on another device.',
};

/** Same values as the form started with (the kind picker alone is no typing). */
function sameForm(a: FormValues, b: FormValues): boolean {
  return (Object.keys(a) as (keyof FormValues)[]).every((k) => k === 'kind' || a[k] === b[k]);
}

export function ItemForm({ editing, onSaved, onClose, onImport, outside = null }: Props) {
  const [f, setF] = useState<FormValues>(() => (editing ? formFromDetail(editing) : emptyForm()));
  const [errors, setErrors] = useState<FormErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [showSecret, setShowSecret] = useState(false);
  const [clearNotes, setClearNotes] = useState(false);
  /** What the pasted otpauth:// link filled in, as a hint under the secret. */
  const [linkNote, setLinkNote] = useState<string | null>(null);
  const [initial] = useState(f);
  const form = useRef<HTMLFormElement>(null);
  const uid = useId();
  const isEdit = editing !== undefined;
  const dirty = clearNotes || !sameForm(f, initial);

  /** A field's error (and those it explains) goes as soon as that field changes. */
  const clearErrors = (keys: string[]) => {
    setErrors((prev) => (keys.some((k) => prev[k] !== undefined)
      ? Object.fromEntries(Object.entries(prev).filter(([k]) => !keys.includes(k)))
      : prev));
  };

  const set = <K extends keyof FormValues>(key: K, value: FormValues[K]) => {
    setF((prev) => ({ ...prev, [key]: value }));
    clearErrors(CLEARS[key] ?? [key]);
  };

  /** An otpauth:// link in the 2FA secret: Rust reads it (the core's parser, as the CLI)
   * and the visible fields are filled from it; the link itself stays in the field and
   * goes to Rust on save, which takes the seed from it. */
  const latestLink = useRef('');
  const readLink = async (value: string) => {
    latestLink.current = value;
    if (!isOtpLink(value)) {
      setLinkNote(null);
      return;
    }
    try {
      const link = await otpLinkRead(value.trim());
      if (latestLink.current !== value) return;
      setF((prev) => ({
        ...prev,
        issuer: link.issuer ?? prev.issuer,
        username: link.account ?? prev.username,
        otp_type: link.otp.type,
        algorithm: link.otp.algorithm,
        digits: String(link.otp.digits),
        period: String(link.otp.period),
        counter: String(link.counter),
        name: prev.name.trim() === '' ? (link.issuer ?? link.account ?? '') : prev.name,
      }));
      clearErrors(['value', 'issuer', 'username', 'otp_type', 'algorithm', 'digits', 'period', 'counter', 'name']);
      const who = [link.issuer, link.account].filter((x) => x !== null && x !== '').join(' · ');
      setLinkNote(
        `Read from the otpauth link${who !== '' ? `: ${who}` : ''}. Issuer, account and settings are filled in below.`,
      );
    } catch (err) {
      if (latestLink.current !== value) return;
      setLinkNote(null);
      setErrors((prev) => ({ ...prev, value: toIpcError(err).message }));
    }
  };

  const focusFirstError = () => {
    requestAnimationFrame(() => {
      form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    });
  };

  const submit = async (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (busy) return;
    const found = validate(f, isEdit);
    setErrors(found);
    setFormError(null);
    if (Object.keys(found).length > 0) {
      focusFirstError();
      return;
    }
    setBusy(true);
    try {
      const saved =
        editing && outside !== 'deleted'
          ? await itemUpdate(editing.id, toEdit(f, clearNotes, editing))
          : await itemAdd(toInput(f));
      onSaved(saved);
    } catch (err) {
      const ipc = toIpcError(err);
      const field = ipc.field;
      if (field !== null && shownFields(f.kind).has(field)) {
        setErrors({ [field]: ipc.message });
        focusFirstError();
      } else {
        setFormError(ipc.message);
      }
      setBusy(false);
    }
  };

  const keepHint = isEdit ? 'Leave blank to keep the stored value.' : undefined;

  const text = (
    key: keyof FormValues,
    label: string,
    opts: {
      hint?: string | undefined;
      placeholder?: string;
      type?: string;
      required?: boolean;
      autoFocus?: boolean;
      mono?: boolean;
      errorKey?: string;
      inputMode?: 'numeric';
    } = {},
  ) => {
    const errKey = opts.errorKey ?? key;
    const err = errors[errKey];
    const id = `${uid}-${key}`;
    return (
      <Row id={id} label={label} required={opts.required ?? false} error={err} hint={opts.hint}>
        <input
          id={id}
          name={key}
          type={opts.type ?? 'text'}
          className={opts.mono ? 'mono' : undefined}
          value={f[key]}
          placeholder={opts.placeholder}
          autoComplete="off"
          spellCheck={false}
          inputMode={opts.inputMode}
          data-autofocus={opts.autoFocus ? '' : undefined}
          aria-invalid={err !== undefined}
          aria-describedby={err !== undefined || opts.hint !== undefined ? `${id}-msg` : undefined}
          onChange={(e) => {
            set(key, e.target.value);
          }}
        />
      </Row>
    );
  };

  const secret = (
    key: 'value' | 'access_token' | 'refresh_token',
    label: string,
    required: boolean,
    hint?: string,
  ) => {
    const err = errors[key];
    const id = `${uid}-${key}`;
    return (
      <Row
        id={id}
        label={label}
        required={required}
        error={err}
        hint={key === 'value' && linkNote !== null ? linkNote : (hint ?? keepHint)}
      >
        <div className="input-with-button">
          <input
            id={id}
            name={key}
            type={showSecret ? 'text' : 'password'}
            className="mono"
            value={f[key]}
            autoComplete="off"
            spellCheck={false}
            placeholder={isEdit ? '•••••••• (unchanged)' : undefined}
            aria-invalid={err !== undefined}
            aria-describedby={`${id}-msg`}
            onChange={(e) => {
              set(key, e.target.value);
              if (key === 'value' && f.kind === 'totp') void readLink(e.target.value);
            }}
          />
          {key === 'value' && (
            <button
              type="button"
              className="small"
              aria-pressed={showSecret}
              onClick={() => {
                setShowSecret((s) => !s);
              }}
            >
              {showSecret ? 'Hide' : 'Show'}
            </button>
          )}
        </div>
      </Row>
    );
  };

  const select = (
    key: 'placement_in' | 'auth' | 'grant' | 'otp_type' | 'algorithm',
    label: string,
    options: readonly (readonly [string, string])[],
    errorKey?: string,
    hint?: string,
  ) => {
    const id = `${uid}-${key}`;
    const err = errors[errorKey ?? key];
    return (
      <Row id={id} label={label} required={false} error={err} hint={hint}>
        <select
          id={id}
          value={f[key]}
          aria-invalid={err !== undefined}
          aria-describedby={err !== undefined || hint !== undefined ? `${id}-msg` : undefined}
          onChange={(e) => {
            set(key, e.target.value as FormValues[typeof key]);
          }}
        >
          {options.map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </select>
      </Row>
    );
  };

  const kindFields: Record<Kind, ReactNode> = {
    api_key: (
      <>
        {secret('value', VALUE_LABEL.api_key, !isEdit)}
        <div className="form-pair">
          {select('placement_in', 'Sent as', [
            ['header', 'Header'],
            ['query', 'Query parameter'],
            ['bearer', 'Authorization: Bearer'],
          ], f.placement_in === 'bearer' ? 'placement' : 'placement_in')}
          {f.placement_in !== 'bearer' &&
            text('placement_name', f.placement_in === 'header' ? 'Header name' : 'Parameter name', {
              errorKey: 'placement',
              mono: true,
              required: true,
            })}
        </div>
      </>
    ),
    bearer: <>{secret('value', 'Token', !isEdit, isEdit ? keepHint : 'A bearer token or a JWT.')}</>,
    oauth2: (
      <>
        {select('grant', 'Grant type', GRANTS, undefined, GRANT_HINT[f.grant])}
        {text('client_id', 'Client ID', { required: true, mono: true })}
        {secret(
          'value',
          VALUE_LABEL.oauth2,
          !isEdit && secretRequired(f),
          isEdit ? keepHint : secretRequired(f) ? undefined : 'Leave blank for a public client.',
        )}
        <div className="form-pair">
          {text('oauth_issuer', 'Issuer', {
            placeholder: 'https://login.example.com',
            hint: 'Issuer or token URL is required.',
          })}
          {text('token_url', 'Token URL', { placeholder: 'https://login.example.com/oauth/token' })}
        </div>
        <div className="form-pair">
          {select('auth', 'Client authentication', [
            ['basic', 'HTTP Basic'],
            ['post', 'Form body'],
          ])}
          {text('scopes', 'Scopes', { placeholder: 'read write', hint: 'Separated by spaces.' })}
        </div>
        {text('audience', 'Audience')}
        <div className="form-pair">
          {secret('access_token', 'Access token', false, isEdit ? keepHint : 'Optional.')}
          {secret('refresh_token', 'Refresh token', false, isEdit ? keepHint : 'Optional.')}
        </div>
      </>
    ),
    basic: (
      <>
        {text('username', 'Username', { required: true })}
        {secret('value', VALUE_LABEL.basic, !isEdit)}
      </>
    ),
    totp: (
      <>
        {!isEdit && onImport && (
          <p className="banner banner-info small">
            <span>Moving from another authenticator? Import from Aegis, 2FAS, Ente, Google Authenticator or a QR code.</span>
            <button type="button" className="small" onClick={onImport}>
              Import…
            </button>
          </p>
        )}
        {secret(
          'value',
          'Secret (base32) or otpauth:// link',
          !isEdit,
          isEdit ? keepHint : 'The key behind the QR code, e.g. JBSW Y3DP EHPK 3PXP, or the whole otpauth:// link.',
        )}
        <div className="form-pair">
          {text('issuer', 'Issuer', { placeholder: 'GitHub' })}
          {text('username', 'Account', { placeholder: 'you@example.com' })}
        </div>
        <div className="form-quad">
          {select('otp_type', 'Type', [
            ['totp', 'TOTP'],
            ['hotp', 'HOTP'],
            ['steam', 'Steam'],
          ])}
          {f.otp_type !== 'steam' &&
            select('algorithm', 'Algorithm', [
              ['SHA1', 'SHA-1'],
              ['SHA256', 'SHA-256'],
              ['SHA512', 'SHA-512'],
            ])}
          {f.otp_type !== 'steam' && text('digits', 'Digits', { inputMode: 'numeric' })}
          {f.otp_type === 'totp' && text('period', 'Period (s)', { inputMode: 'numeric' })}
          {f.otp_type === 'hotp' && !isEdit && text('counter', 'Counter', { inputMode: 'numeric' })}
        </div>
      </>
    ),
  };

  return (
    <Dialog
      title={isEdit ? `Edit ${editing.name}` : 'New item'}
      subtitle={isEdit ? KIND_LABEL[editing.kind] : undefined}
      onClose={onClose}
      dirty={dirty}
      wide
    >
      <form ref={form} className="dialog-form" onSubmit={(e) => void submit(e)} noValidate>
        <div className="dialog-body item-form">
        {outside === 'changed' && (
          <p className="banner banner-warn" role="status" data-testid="form-outside">
            This item was changed outside this window. Saving applies only the fields you changed here.
          </p>
        )}
        {outside === 'deleted' && (
          <p className="banner banner-warn" role="status" data-testid="form-outside">
            This item was deleted outside this window. Saving adds it again as a new item with what you typed
            {editing !== undefined && editing.secrets.value ? ' (enter its secret again: it went with the item)' : ''}.
          </p>
        )}
        {!isEdit && (
          <fieldset className="kind-picker">
            <legend>Kind</legend>
            {KINDS.map((k) => (
              <label key={k} className={`kind-option${f.kind === k ? ' on' : ''}`}>
                <input
                  type="radio"
                  name="kind"
                  value={k}
                  checked={f.kind === k}
                  onChange={() => {
                    setErrors({});
                    setLinkNote(null);
                    setF((prev) => ({ ...prev, kind: k }));
                  }}
                />
                <KindIcon kind={k} />
                <span>{KIND_LABEL[k]}</span>
              </label>
            ))}
          </fieldset>
        )}
        {formError !== null && (
          <p className="banner banner-error" role="alert">
            {formError}
          </p>
        )}
        {text('name', 'Name', { required: true, autoFocus: true, placeholder: 'Stripe production' })}
        {kindFields[f.kind]}
        <div className="form-pair">
          {text('url', 'URL', { placeholder: 'https://api.example.com' })}
          {text('tags', 'Tags', { placeholder: 'prod, payments', hint: 'Separated by commas.' })}
        </div>
        <div className="form-triple">
          {text('expires_at', 'Expires on', {
            placeholder: 'YYYY-MM-DD',
            hint: 'The start of that day, UTC.',
            mono: true,
          })}
          {f.kind !== 'totp' &&
            text('rotate_every_days', 'Rotate every (days)', {
              inputMode: 'numeric',
              hint: 'Blank or 0: no reminder.',
            })}
          {text('warn_days', 'Warn before (days)', { inputMode: 'numeric' })}
        </div>
        <Row id={`${uid}-notes`} label="Notes" required={false} error={errors.notes} hint={keepHint}>
          <textarea
            id={`${uid}-notes`}
            rows={3}
            disabled={clearNotes}
            value={f.notes}
            placeholder={isEdit ? '(unchanged)' : 'Encrypted like a secret.'}
            aria-invalid={errors.notes !== undefined}
            aria-describedby={`${uid}-notes-msg`}
            onChange={(e) => {
              set('notes', e.target.value);
            }}
          />
          {isEdit && editing.secrets.notes && (
            <label className="check small">
              <input
                type="checkbox"
                checked={clearNotes}
                onChange={(e) => {
                  setClearNotes(e.target.checked);
                  if (e.target.checked) set('notes', '');
                }}
              />
              <span>Remove the stored notes</span>
            </label>
          )}
        </Row>
        </div>
        <footer className="dialog-foot dialog-foot-bar">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Saving…' : isEdit ? 'Save changes' : 'Add item'}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}

function Row({
  id,
  label,
  required,
  error,
  hint,
  children,
}: {
  id: string;
  label: string;
  required: boolean;
  error: string | undefined;
  hint?: string | undefined;
  children: ReactNode;
}) {
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
        {required && <span className="req" aria-hidden="true"> *</span>}
      </label>
      {children}
      {error !== undefined ? (
        <span id={`${id}-msg`} className="field-error" role="alert">
          {error}
        </span>
      ) : hint !== undefined ? (
        <span id={`${id}-msg`} className="field-hint">
          {hint}
        </span>
      ) : null}
    </div>
  );
}
