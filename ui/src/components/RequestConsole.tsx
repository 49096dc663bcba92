import { type KeyboardEvent, useCallback, useEffect, useRef, useState } from 'react';
import type { ItemDetail } from '../bindings/ItemDetail';
import {
  type CurlParsed,
  type HistoryEntry,
  type IpcError,
  oauthRenew,
  type RequestResult,
  requestCancel,
  requestHistory,
  requestSave,
  requestSaved,
  requestSavedDelete,
  requestSend,
  type SavedRequest,
  toIpcError,
} from '../lib/ipc';
import {
  type ConsoleMemory,
  credentialText,
  type Draft,
  emptyDraft,
  fromHistory,
  fromInput,
  redactedIn,
  retryLeft,
  sameDraft,
  toInput,
} from '../lib/request';
import { HistoryTable } from './console/HistoryTable';
import { PasteCurlDialog } from './console/PasteCurlDialog';
import { type ReqTab, RequestEditor } from './console/RequestEditor';
import { ResponseView } from './console/ResponseView';
import { SavedBar } from './console/SavedBar';

interface Props {
  detail: ItemDetail;
  /** Drafts and last results by item, kept by the main view while the vault is open. */
  memory: Map<string, ConsoleMemory>;
  /** "Edit key": open the item's edit form. */
  onEditItem: () => void;
  /** The item changed (a renewal): reload the detail. */
  onChanged: () => void;
}

function nowS(): number {
  return Math.floor(Date.now() / 1000);
}

/** The request console of an item: write a request, send it with the item's credential
 * (attached in Rust), read the response and why it failed, fix it, send again. Its panels
 * are in ./console/. */
export function RequestConsole({ detail, memory, onEditItem, onChanged }: Props) {
  const d = detail;
  const remembered = memory.get(d.id);
  const [draft, setDraft] = useState<Draft>(remembered?.draft ?? emptyDraft(d.url ?? ''));
  const [result, setResult] = useState<RequestResult | null>(remembered?.result ?? null);
  /** The request `result` answers: once the draft differs, the result is stale. */
  const [answered, setAnswered] = useState<Draft | null>(remembered?.answered ?? remembered?.draft ?? null);
  const [savedName, setSavedName] = useState<string | null>(remembered?.savedName ?? null);
  const [error, setError] = useState<IpcError | null>(null);
  const [notes, setNotes] = useState<string[]>([]);
  const [sending, setSending] = useState<'send' | 'renew' | null>(null);
  const [reqTab, setReqTab] = useState<ReqTab>('headers');
  const [history, setHistory] = useState<HistoryEntry[]>([]);
  const [saved, setSaved] = useState<SavedRequest[]>([]);
  const [saving, setSaving] = useState<string | null>(null);
  const [deleted, setDeleted] = useState<SavedRequest | null>(null);
  const [pasting, setPasting] = useState(false);
  const [now, setNow] = useState(nowS);
  const live = useRef(true);

  // Remember the draft and result for this item (an edit of the item remounts the detail).
  useEffect(() => {
    memory.set(d.id, { draft, result, savedName, answered });
  }, [memory, d.id, draft, result, savedName, answered]);

  /** Every edit of the request: an error about the old one no longer applies. */
  const change = (f: (d: Draft) => Draft) => {
    setDraft(f);
    setError(null);
  };
  const stale = result !== null && answered !== null && !sameDraft(draft, answered);

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
    const sent = draft;
    try {
      const r = await requestSend(d.id, toInput(sent), retry);
      if (!live.current) return;
      setResult(r);
      setAnswered(sent);
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

  // "Test this key" opened the console to send its request at once: once.
  const sendOnOpen = useRef(remembered?.sendNow === true);
  useEffect(() => {
    if (!sendOnOpen.current) return;
    sendOnOpen.current = false;
    void send();
  });

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
    change(() => fromInput(s.request));
    setSavedName(s.name);
    setNotes([]);
    setError(null);
  };

  const openHistory = (h: HistoryEntry) => {
    const { draft: next, notes: n } = fromHistory(h);
    change(() => next);
    setSavedName(null);
    setNotes(n);
    setError(null);
    setReqTab('headers');
  };

  const applyCurl = (c: CurlParsed) => {
    if (!live.current) return;
    change(() => fromInput(c.request));
    setSavedName(null);
    setNotes(c.dropped.map((x) => `From the curl command: ${x}.`));
    setPasting(false);
    setReqTab(c.request.body.kind === 'none' ? 'headers' : 'body');
  };

  const formatJson = () => {
    try {
      const v: unknown = JSON.parse(draft.bodyText);
      change((x) => ({ ...x, bodyText: JSON.stringify(v, null, 2) }));
    } catch (e) {
      setError(toIpcError(new Error(`The JSON body does not parse: ${e instanceof Error ? e.message : String(e)}`)));
    }
  };

  const fieldError = (f: string) => (error?.field?.toLowerCase() === f ? error.message : null);
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
      <SavedBar
        saved={saved}
        deleted={deleted}
        current={savedName}
        onOpen={openSaved}
        onRemove={(s) => void remove(s)}
        onUndo={() => void undoDelete()}
      />
      <RequestEditor
        itemId={d.id}
        draft={draft}
        change={change}
        credential={credentialText(d)}
        sending={sending}
        reqTab={reqTab}
        setReqTab={setReqTab}
        saving={saving}
        setSaving={setSaving}
        saved={saved}
        savedName={savedName}
        timeoutBad={timeoutBad}
        fieldError={fieldError}
        onSend={() => void send()}
        onCancel={() => void requestCancel()}
        onSave={(name) => void save(name)}
        onPasteCurl={() => {
          setPasting(true);
        }}
        onFormatJson={formatJson}
      />
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
      {r !== null && <ResponseView result={r} stale={stale} fix={fixButton()} />}
      <HistoryTable history={history} onOpen={openHistory} />
      {pasting && (
        <PasteCurlDialog
          onUse={applyCurl}
          onClose={() => {
            setPasting(false);
          }}
        />
      )}
    </section>
  );
}
