import { type DragEvent, type SubmitEvent, useCallback, useEffect, useId, useRef, useState } from 'react';
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
import { encryptedFormat, fileToBase64, FORMAT_LABEL, FORMATS, rowType } from '../lib/otp';
import { Dialog } from './Dialog';
import { Icon } from './Icons';

interface Props {
  /** A file dropped on the window before the wizard opened: previewed at once. */
  initial?: ImportSource | undefined;
  /** Closed before anything was imported (the preview, if any, is cancelled in Rust). */
  onClose: () => void;
  /** Closed after an import. */
  onDone: (s: ImportSummary) => void;
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
  | { s: 'summary'; summary: ImportSummary };

const STEPS = [
  ['source', 'Source'],
  ['preview', 'Preview'],
  ['summary', 'Done'],
] as const;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
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

/** Import 2FA codes: source (file, drop, paste) → password if the export is encrypted →
 * preview (what is new, duplicate, invalid) → summary. Rust parses and keeps the entries;
 * the window sees names and statuses only, never a seed. */
export function ImportWizard({ initial, onClose, onDone, onError }: Props) {
  const [step, setStep] = useState<Step>({ s: 'source' });
  const [busy, setBusy] = useState(initial !== undefined);
  const [sourceError, setSourceError] = useState<string | null>(null);
  const [stepError, setStepError] = useState<string | null>(null);
  const [format, setFormat] = useState<ImportFormat | ''>('');
  const [text, setText] = useState('');
  const [password, setPassword] = useState('');
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

  const preview = useCallback(
    async (source: ImportSource, fmt: ImportFormat | null, pw: string | null) => {
      setBusy(true);
      setSourceError(null);
      setStepError(null);
      try {
        const p = await importPreview(source, fmt, pw);
        if (!live.current) {
          importCancel(p.id).catch(() => undefined);
          return;
        }
        // Two sources at once (a drop while a file was read): only the last one is kept.
        cancelPreview();
        previewId.current = p.id;
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
    [cancelPreview, onError],
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
      onDone(step.summary);
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
      const summary = await importCommit(p.id);
      previewId.current = null;
      if (live.current) setStep({ s: 'summary', summary });
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
                <option value="">Detect automatically</option>
                {FORMATS.map((f) => (
                  <option key={f} value={f}>
                    {FORMAT_LABEL[f]}
                  </option>
                ))}
              </select>
            </div>
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
              <p>{busy ? 'Reading…' : 'Drop a QR screenshot or an export file here'}</p>
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
                Aegis, 2FAS or Ente Auth exports (plain or encrypted), a Google Authenticator export QR, or any
                otpauth QR code.
              </p>
              {note !== null && <p className="small">{note}</p>}
            </div>
            <div className="field">
              <label className="field-label" htmlFor={`${uid}-text`}>
                Or paste otpauth:// URIs, an otpauth-migration:// link or an export’s JSON
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
                    <th scope="col">Entry</th>
                    <th scope="col">Name</th>
                    <th scope="col">Issuer</th>
                    <th scope="col">Account</th>
                    <th scope="col">Type</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {p.rows.map((r) => (
                    <tr key={r.position} className={`import-${r.status}`}>
                      <td className="muted nowrap">{r.label}</td>
                      <td>{r.name ?? <span className="muted">—</span>}</td>
                      <td>{r.issuer}</td>
                      <td>{r.account}</td>
                      <td className="nowrap">{rowType(r)}</td>
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
              disabled={busy || p.new_count === 0}
              data-autofocus={p.new_count > 0 ? '' : undefined}
              onClick={() => void commit(p)}
            >
              {busy ? 'Importing…' : `Import ${p.new_count.toLocaleString()}`}
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
      const summary = step;
      content = (
        <>
          <div className="dialog-body import-summary">
            {stepper}
            <p className="import-done" role="status">
              <Icon name="codes" size={18} /> Added {plural(s.added.length, 'code')}
            </p>
            {s.added.length > 0 && (
              <ul className="import-added" aria-label="Added">
                {s.added.map((n) => (
                  <li key={n}>{n}</li>
                ))}
              </ul>
            )}
            {skipped.length > 0 && <p className="muted">Skipped {skipped.join(' and ')}.</p>}
          </div>
          <footer className="dialog-foot dialog-foot-bar">
            <button
              type="button"
              className="primary"
              data-autofocus=""
              onClick={() => {
                onDone(summary.summary);
              }}
            >
              Show codes
            </button>
          </footer>
        </>
      );
      break;
    }
  }

  return (
    <Dialog
      title="Import 2FA codes"
      onClose={close}
      // Pasted text or a typed export password: Escape or a click outside asks first.
      dirty={step.s !== 'summary' && (text.trim() !== '' || password !== '')}
      wide
      className="import-dialog"
    >
      <div ref={body} className="dialog-form">
        {content}
      </div>
    </Dialog>
  );
}
