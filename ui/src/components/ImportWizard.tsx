import { type DragEvent, type SubmitEvent, useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { ImportFormat } from '../bindings/ImportFormat';
import type { ImportPreview } from '../bindings/ImportPreview';
import type { ImportRow } from '../bindings/ImportRow';
import type { ImportSource } from '../bindings/ImportSource';
import type { ImportSummary } from '../bindings/ImportSummary';
import {
  importCancel,
  importCommit,
  importPreview,
  type IpcError,
  onFileDrop,
  toIpcError,
} from '../lib/ipc';
import type { ImportOptions } from '../bindings/ImportOptions';
import { KIND_LABEL } from '../lib/format';
import { encryptedFormat, fileToBase64, FORMAT_GROUPS, FORMAT_LABEL, FORMATS, rowType } from '../lib/otp';
import { Dialog } from './Dialog';
import { Icon } from './Icons';

/** What the wizard imports: 2FA codes only (from the Codes view) or every format. */
export type ImportScope = 'otp' | 'all';

interface Props {
  scope: ImportScope;
  /** A file dropped on the window before the wizard opened: previewed at once. */
  initial?: ImportSource | undefined;
  /** Closed before anything was imported (the preview, if any, is cancelled in Rust). */
  onClose: () => void;
  /** Closed after an import; `codes`: only 2FA codes were imported (show the Codes view). */
  onDone: (s: ImportSummary, codes: boolean) => void;
  /** Errors the window handles (a locked vault). */
  onError: (e: IpcError) => void;
}

type Step =
  | { s: 'source' }
  | {
      s: 'password';
      source: ImportSource;
      format: ImportFormat | null;
      /** The export's app, from the error ("Aegis"), when known. */
      app: string | null;
      error: string | null;
    }
  | { s: 'preview'; preview: ImportPreview }
  | { s: 'summary'; summary: ImportSummary; codes: boolean };

const STEPS = [
  ['source', 'Source'],
  ['preview', 'Preview'],
  ['summary', 'Done'],
] as const;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/** "a", "a and b", "a, b and c". */
function joinList(parts: string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1] ?? ''}`;
}

function sentence(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

function StatusChip({ row }: { row: ImportRow }) {
  switch (row.status) {
    case 'new':
      return <span className="chip chip-new">new</span>;
    case 'duplicate':
      return (
        <>
          <span className="chip chip-duplicate">duplicate</span>
          {row.duplicate_of !== null && ` of “${row.duplicate_of}”`}
        </>
      );
    case 'invalid':
      return (
        <>
          <span className="chip chip-invalid">invalid</span>
          {row.reason !== null && `: ${row.reason}`}
        </>
      );
  }
}

/** The detail of a row: a 2FA code's type, else its URL or saved requests. */
function rowDetail(r: ImportRow): string {
  if (r.kind === 'totp') return rowType(r);
  const parts: string[] = [];
  if (r.url !== null) parts.push(r.url);
  if (r.requests > 0) parts.push(plural(r.requests, 'saved request'));
  return parts.join(' · ');
}

/** Import: source (file, drop, paste, a path) → password if the export is encrypted →
 * preview (what is new, duplicate, invalid; which rows to import) → summary. Rust parses
 * and keeps the entries; the window sees names, kinds and statuses, never a secret. */
export function ImportWizard({ scope, initial, onClose, onDone, onError }: Props) {
  const [step, setStep] = useState<Step>({ s: 'source' });
  const [busy, setBusy] = useState(initial !== undefined);
  const [sourceError, setSourceError] = useState<string | null>(null);
  const [stepError, setStepError] = useState<string | null>(null);
  const [format, setFormat] = useState<ImportFormat | ''>('');
  const [text, setText] = useState('');
  const [password, setPassword] = useState('');
  const [path, setPath] = useState('');
  const [tags, setTags] = useState('');
  const [project, setProject] = useState('');
  const [map, setMap] = useState('');
  /** Rows of the preview to import (their indexes). */
  const [chosen, setChosen] = useState<ReadonlySet<number>>(new Set());
  const [dragging, setDragging] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const previewId = useRef<string | null>(null);
  const body = useRef<HTMLDivElement>(null);
  const passwordInput = useRef<HTMLInputElement>(null);
  const live = useRef(true);
  const uid = useId();

  const cancelPreview = useCallback(() => {
    const id = previewId.current;
    previewId.current = null;
    if (id !== null) {
      importCancel(id).catch(() => {
        // Rust drops unclaimed previews itself; nothing to tell the user.
      });
    }
  }, []);

  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
      cancelPreview();
    };
  }, [cancelPreview]);

  const options: ImportOptions = useMemo(
    () => ({
      tags: tags
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== ''),
      project: project.trim() === '' ? null : project.trim(),
      map: map.trim() === '' ? null : map.trim(),
    }),
    [tags, project, map],
  );

  const preview = useCallback(
    async (source: ImportSource, fmt: ImportFormat | null, pw: string | null) => {
      setBusy(true);
      setSourceError(null);
      setStepError(null);
      try {
        const p = await importPreview(source, fmt, pw, options);
        if (!live.current) {
          importCancel(p.id).catch(() => undefined);
          return;
        }
        // Two sources at once (a drop while a file was read): only the last one is kept.
        cancelPreview();
        previewId.current = p.id;
        setChosen(new Set(p.rows.filter((r) => r.status === 'new' && r.selected).map((r) => r.row)));
        setStep({ s: 'preview', preview: p });
      } catch (e) {
        if (!live.current) return;
        const err = toIpcError(e);
        switch (err.kind) {
          case 'import_password_needed':
            setPassword('');
            setStep({ s: 'password', source, format: fmt, app: encryptedFormat(err.message), error: null });
            break;
          case 'wrong_import_password':
            setStep((prev) => ({
              s: 'password',
              source,
              format: fmt,
              app: encryptedFormat(err.message) ?? (prev.s === 'password' ? prev.app : null),
              error: sentence(err.message),
            }));
            break;
          case 'locked':
            onError(err);
            break;
          default:
            // import_failed and the rest: back on the source step, saying what is wrong.
            setStep({ s: 'source' });
            setSourceError(sentence(err.message));
        }
      } finally {
        if (live.current) setBusy(false);
      }
    },
    [cancelPreview, onError, options],
  );

  const chosenFormat = format === '' ? null : format;

  const readFile = useCallback(
    async (file: File) => {
      setNote(null);
      try {
        const base64 = await fileToBase64(file);
        await preview({ kind: 'bytes', name: file.name, base64 }, chosenFormat, null);
      } catch (e) {
        setSourceError(`The file could not be read: ${toIpcError(e).message}`);
      }
    },
    [chosenFormat, preview],
  );

  // A file dropped before the wizard opened.
  const started = useRef(false);
  useEffect(() => {
    if (started.current || initial === undefined) return;
    started.current = true;
    void preview(initial, null, null);
  }, [initial, preview]);

  // Files dropped on the window (Tauri gives their paths) while the source step is shown.
  const onPaths = useRef<(paths: string[]) => void>(() => undefined);
  useEffect(() => {
    onPaths.current = (paths: string[]) => {
      const [path] = paths;
      if (path === undefined || busy) return;
      setNote(paths.length > 1 ? `${String(paths.length)} files were dropped: only the first one is read.` : null);
      void preview({ kind: 'file', path }, chosenFormat, null);
    };
  }, [busy, chosenFormat, preview]);
  const onSource = step.s === 'source';
  useEffect(() => {
    if (!onSource) return;
    return onFileDrop(
      (paths) => {
        onPaths.current(paths);
      },
      (over) => {
        setDragging(over);
      },
    );
  }, [onSource]);

  // Each step puts the focus on its main control.
  const firstStep = useRef(true);
  useEffect(() => {
    if (firstStep.current) {
      firstStep.current = false;
      return;
    }
    body.current?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
  }, [step.s]);

  // A wrong password: say so under the field and keep it selected for retyping.
  useEffect(() => {
    if (step.s === 'password' && step.error !== null) {
      passwordInput.current?.focus();
      passwordInput.current?.select();
    }
  }, [step]);

  const close = () => {
    if (step.s === 'summary') {
      onDone(step.summary, step.codes);
      return;
    }
    cancelPreview();
    onClose();
  };

  const back = () => {
    cancelPreview();
    setStepError(null);
    setStep({ s: 'source' });
  };

  const commit = async (p: ImportPreview) => {
    setBusy(true);
    setStepError(null);
    try {
      const summary = await importCommit(p.id, [...chosen].sort((a, b) => a - b));
      previewId.current = null;
      const codes = p.rows.every((r) => r.kind === null || r.kind === 'totp');
      if (live.current) setStep({ s: 'summary', summary, codes });
    } catch (e) {
      const err = toIpcError(e);
      if (err.kind === 'locked') onError(err);
      else if (live.current) setStepError(sentence(err.message));
    } finally {
      if (live.current) setBusy(false);
    }
  };

  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    setDragging(false);
    const files = [...e.dataTransfer.files];
    const [file] = files;
    if (file === undefined || busy) return;
    void readFile(file).then(() => {
      if (files.length > 1) setNote(`${String(files.length)} files were dropped: only the first one is read.`);
    });
  };

  const current = step.s === 'password' ? 'source' : step.s;
  const stepper = (
    <ol className="stepper" aria-label="Steps">
      {STEPS.map(([s, label], i) => (
        <li key={s} className={s === current ? 'on' : undefined} aria-current={s === current ? 'step' : undefined}>
          <span className="stepper-n">{i + 1}</span> {label}
        </li>
      ))}
    </ol>
  );

  let content: React.ReactNode;
  switch (step.s) {
    case 'source': {
      const submitText = (e: SubmitEvent<HTMLFormElement>) => {
        e.preventDefault();
        if (text.trim() === '' || busy) return;
        setNote(null);
        void preview({ kind: 'text', text }, chosenFormat, null);
      };
      content = (
        <form className="dialog-form" onSubmit={submitText} noValidate>
          <div className="dialog-body import-source">
            {stepper}
            {sourceError !== null && (
              <p className="banner banner-error" role="alert">
                {sourceError}
              </p>
            )}
            <div className="field import-format">
              <label className="field-label" htmlFor={`${uid}-format`}>
                Format
              </label>
              <select
                id={`${uid}-format`}
                value={format}
                onChange={(e) => {
                  setFormat(e.target.value as ImportFormat | '');
                }}
              >
                <option value="">{scope === 'all' ? 'Detect (2FA exports only)' : 'Detect automatically'}</option>
                {scope === 'otp'
                  ? FORMATS.map((f) => (
                      <option key={f} value={f}>
                        {FORMAT_LABEL[f]}
                      </option>
                    ))
                  : FORMAT_GROUPS.map(([group, list]) => (
                      <optgroup key={group} label={group}>
                        {list.map((f) => (
                          <option key={f} value={f}>
                            {FORMAT_LABEL[f]}
                          </option>
                        ))}
                      </optgroup>
                    ))}
              </select>
            </div>
            {scope === 'all' && (
              <div className="import-options">
                {format === 'dotenv' && (
                  <div className="field">
                    <label className="field-label" htmlFor={`${uid}-project`}>
                      Project tag
                    </label>
                    <input
                      id={`${uid}-project`}
                      value={project}
                      placeholder="the file’s folder name"
                      autoComplete="off"
                      spellCheck={false}
                      onChange={(e) => {
                        setProject(e.target.value);
                      }}
                    />
                  </div>
                )}
                {format === 'csv' && (
                  <div className="field">
                    <label className="field-label" htmlFor={`${uid}-map`}>
                      Columns
                    </label>
                    <input
                      id={`${uid}-map`}
                      value={map}
                      placeholder="name=Title,secret=Password,username=User,url=URL"
                      autoComplete="off"
                      spellCheck={false}
                      onChange={(e) => {
                        setMap(e.target.value);
                      }}
                    />
                  </div>
                )}
                <div className="field">
                  <label className="field-label" htmlFor={`${uid}-tags`}>
                    Add tags
                  </label>
                  <input
                    id={`${uid}-tags`}
                    value={tags}
                    placeholder="imported, work"
                    autoComplete="off"
                    spellCheck={false}
                    onChange={(e) => {
                      setTags(e.target.value);
                    }}
                  />
                </div>
              </div>
            )}
            <div
              className={`drop-zone${dragging ? ' over' : ''}`}
              data-testid="drop-zone"
              aria-busy={busy || undefined}
              onDragEnter={(e) => {
                e.preventDefault();
                setDragging(true);
              }}
              onDragOver={(e) => {
                e.preventDefault();
                e.dataTransfer.dropEffect = 'copy';
              }}
              onDragLeave={(e) => {
                if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
              }}
              onDrop={onDrop}
            >
              <Icon name="upload" size={22} />
              <p>
                {busy
                  ? 'Reading…'
                  : scope === 'all'
                    ? 'Drop an export, a .env or a CSV file here'
                    : 'Drop a QR screenshot or an export file here'}
              </p>
              <label className={`file-button${busy ? ' disabled' : ''}`}>
                <input
                  type="file"
                  className="visually-hidden"
                  data-autofocus=""
                  disabled={busy}
                  onChange={(e) => {
                    const file = e.target.files?.[0];
                    e.target.value = '';
                    if (file) void readFile(file);
                  }}
                />
                Choose file…
              </label>
              <p className="muted small">
                {scope === 'all'
                  ? '.env files, KeePassXC (.kdbx, XML, CSV), Bitwarden, 1Password (.1pux), Postman, Bruno, Insomnia, CSV — and 2FA exports (Aegis, 2FAS, Ente Auth, Google Authenticator, QR codes).'
                  : 'Aegis, 2FAS or Ente Auth exports (plain or encrypted), a Google Authenticator export QR, or any otpauth QR code.'}
              </p>
              {note !== null && <p className="small">{note}</p>}
            </div>
            {scope === 'all' && (
              <div className="field">
                <label className="field-label" htmlFor={`${uid}-path`}>
                  Or type the path of a file or of a Bruno collection folder
                </label>
                <div className="input-row">
                  <input
                    id={`${uid}-path`}
                    value={path}
                    placeholder="/path/to/project/.env, or a Bruno collection folder"
                    autoComplete="off"
                    spellCheck={false}
                    onChange={(e) => {
                      setPath(e.target.value);
                    }}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter' && path.trim() !== '' && !busy) {
                        e.preventDefault();
                        setNote(null);
                        void preview({ kind: 'file', path: path.trim() }, chosenFormat, null);
                      }
                    }}
                  />
                  <button
                    type="button"
                    disabled={busy || path.trim() === ''}
                    onClick={() => {
                      setNote(null);
                      void preview({ kind: 'file', path: path.trim() }, chosenFormat, null);
                    }}
                  >
                    Read
                  </button>
                </div>
              </div>
            )}
            <div className="field">
              <label className="field-label" htmlFor={`${uid}-text`}>
                {scope === 'all'
                  ? 'Or paste the file’s text (a .env file, an export’s JSON, otpauth:// URIs)'
                  : 'Or paste otpauth:// URIs, an otpauth-migration:// link or an export’s JSON'}
              </label>
              <textarea
                id={`${uid}-text`}
                rows={4}
                spellCheck={false}
                autoComplete="off"
                value={text}
                placeholder="otpauth://totp/GitHub:me@example.com?secret=…&issuer=GitHub"
                onChange={(e) => {
                  setText(e.target.value);
                }}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                    e.preventDefault();
                    e.currentTarget.form?.requestSubmit();
                  }
                }}
              />
            </div>
          </div>
          <footer className="dialog-foot dialog-foot-bar">
            <button type="button" onClick={close}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={busy || text.trim() === ''}>
              {busy ? 'Reading…' : 'Preview'}
            </button>
          </footer>
        </form>
      );
      break;
    }
    case 'password': {
      const pw = step;
      const errId = `${uid}-pw-error`;
      content = (
        <form
          className="dialog-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (password === '' || busy) return;
            void preview(pw.source, pw.format, password);
          }}
        >
          <div className="dialog-body">
            {stepper}
            <p>
              {pw.app !== null ? `This ${pw.app} export is encrypted.` : 'This export is encrypted.'} Enter the
              password you chose when exporting it.
            </p>
            <div className="field">
              <label className="field-label" htmlFor={`${uid}-pw`}>
                Export password
              </label>
              <input
                ref={passwordInput}
                id={`${uid}-pw`}
                type="password"
                autoComplete="off"
                data-autofocus=""
                value={password}
                aria-invalid={pw.error !== null}
                aria-describedby={pw.error !== null ? errId : undefined}
                onChange={(e) => {
                  setPassword(e.target.value);
                }}
              />
              {pw.error !== null && (
                <span id={errId} className="field-error">
                  {pw.error}
                </span>
              )}
            </div>
            <p className="muted small">The password opens the file once; it is not stored.</p>
          </div>
          <footer className="dialog-foot dialog-foot-bar">
            <button type="button" className="foot-start" onClick={back}>
              Back
            </button>
            <button type="button" onClick={close}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={busy || password === ''}>
              {busy ? 'Opening…' : 'Open export'}
            </button>
          </footer>
        </form>
      );
      break;
    }
    case 'preview': {
      const p = step.preview;
      const newRows = p.rows.filter((r) => r.status === 'new');
      const allChosen = newRows.length > 0 && newRows.every((r) => chosen.has(r.row));
      const unticked = newRows.length - chosen.size;
      const credentials = p.rows.some((r) => r.kind !== null && r.kind !== 'totp');
      // Columns no row fills are left out (a .env file has no issuers or accounts).
      const hasIssuer = p.rows.some((r) => r.issuer !== null);
      const hasAccount = p.rows.some((r) => r.account !== null);
      const hasDetail = !credentials || p.rows.some((r) => rowDetail(r) !== '');
      const toggle = (row: number, on: boolean) => {
        setChosen((prev) => {
          const next = new Set(prev);
          if (on) next.add(row);
          else next.delete(row);
          return next;
        });
      };
      content = (
        <>
          <div className="dialog-body import-preview">
            {stepper}
            <p className="import-counts" data-testid="import-counts">
              <strong>{p.new_count.toLocaleString()} new</strong> · {plural(p.duplicate_count, 'duplicate')} ·{' '}
              {p.invalid_count.toLocaleString()} invalid
            </p>
            <p className="muted small">
              Read as {FORMAT_LABEL[p.format]}. Duplicates and invalid entries are skipped.
              {unticked > 0 && ` ${plural(unticked, 'new entry', 'new entries')} left unticked.`}
            </p>
            {stepError !== null && (
              <p className="banner banner-error" role="alert">
                {stepError}
              </p>
            )}
            <div className="import-table-wrap">
              <table className="import-table">
                <thead>
                  <tr>
                    <th scope="col" className="import-check">
                      <input
                        type="checkbox"
                        aria-label="Import every new entry"
                        checked={allChosen}
                        disabled={newRows.length === 0}
                        onChange={(e) => {
                          setChosen(e.target.checked ? new Set(newRows.map((r) => r.row)) : new Set());
                        }}
                      />
                    </th>
                    <th scope="col">Entry</th>
                    <th scope="col">Name</th>
                    {credentials && <th scope="col">Kind</th>}
                    {hasIssuer && <th scope="col">Issuer</th>}
                    {hasAccount && <th scope="col">{credentials ? 'Account or user' : 'Account'}</th>}
                    {hasDetail && <th scope="col">{credentials ? 'Details' : 'Type'}</th>}
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {p.rows.map((r) => (
                    <tr key={r.row} className={`import-${r.status}${r.status === 'new' && !chosen.has(r.row) ? ' import-unticked' : ''}`}>
                      <td className="import-check">
                        {r.status === 'new' && (
                          <input
                            type="checkbox"
                            aria-label={`Import ${r.name ?? r.label}`}
                            checked={chosen.has(r.row)}
                            onChange={(e) => {
                              toggle(r.row, e.target.checked);
                            }}
                          />
                        )}
                      </td>
                      <td className="muted nowrap">{r.label}</td>
                      <td>
                        {r.name ?? <span className="muted">—</span>}
                        {r.hint !== null && <span className="import-hint muted small">{r.hint}</span>}
                      </td>
                      {credentials && <td className="nowrap">{r.kind === null ? '' : KIND_LABEL[r.kind]}</td>}
                      {hasIssuer && <td>{r.issuer}</td>}
                      {hasAccount && <td>{r.account}</td>}
                      {hasDetail && <td className="import-detail">{credentials ? rowDetail(r) : rowType(r)}</td>}
                      <td>
                        <StatusChip row={r} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
          <footer className="dialog-foot dialog-foot-bar">
            <button type="button" className="foot-start" onClick={back} data-autofocus={p.new_count === 0 ? '' : undefined}>
              Back
            </button>
            <button type="button" onClick={close}>
              Cancel
            </button>
            <button
              type="button"
              className="primary"
              disabled={busy || chosen.size === 0}
              data-autofocus={p.new_count > 0 ? '' : undefined}
              onClick={() => void commit(p)}
            >
              {busy ? 'Importing…' : `Import ${chosen.size.toLocaleString()}`}
            </button>
          </footer>
        </>
      );
      break;
    }
    case 'summary': {
      const s = step.summary;
      const skipped: string[] = [];
      if (s.skipped_duplicates > 0) skipped.push(plural(s.skipped_duplicates, 'duplicate'));
      if (s.skipped_invalid > 0) skipped.push(plural(s.skipped_invalid, 'invalid entry', 'invalid entries'));
      if (s.skipped_unselected > 0) skipped.push(`${s.skipped_unselected.toLocaleString()} left unticked`);
      const summary = step;
      content = (
        <>
          <div className="dialog-body import-summary">
            {stepper}
            <p className="import-done" role="status">
              <Icon name="codes" size={18} /> Added {plural(s.added.length, summary.codes ? 'code' : 'item')}
            </p>
            {s.added.length > 0 && (
              <ul className="import-added" aria-label="Added">
                {s.added.map((n) => (
                  <li key={n}>{n}</li>
                ))}
              </ul>
            )}
            {skipped.length > 0 && <p className="muted">Skipped {joinList(skipped)}.</p>}
          </div>
          <footer className="dialog-foot dialog-foot-bar">
            <button
              type="button"
              className="primary"
              data-autofocus=""
              onClick={() => {
                onDone(summary.summary, summary.codes);
              }}
            >
              {summary.codes ? 'Show codes' : 'Show items'}
            </button>
          </footer>
        </>
      );
      break;
    }
  }

  return (
    <Dialog
      title={scope === 'all' ? 'Import' : 'Import 2FA codes'}
      onClose={close}
      // Pasted text or a typed export password: Escape or a click outside asks first.
      dirty={step.s !== 'summary' && (text.trim() !== '' || password !== '' || path.trim() !== '')}
      wide
      className="import-dialog"
    >
      <div ref={body} className="dialog-form">
        {content}
      </div>
    </Dialog>
  );
}
