import { type KeyboardEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ImportSource } from '../bindings/ImportSource';
import type { ImportSummary } from '../bindings/ImportSummary';
import type { ItemDetail } from '../bindings/ItemDetail';
import type { ItemSummary } from '../bindings/ItemSummary';
import type { Kind } from '../bindings/Kind';
import { KIND_LABEL, KIND_PLURAL, KINDS, needsAttention } from '../lib/format';
import {
  appActivity,
  type IpcError,
  itemDelete,
  type ItemList,
  itemsList,
  onFileDrop,
  onItemsChanged,
  type SettingsView,
  settingsGet,
  toIpcError,
  vaultLock,
  type VaultStatus,
} from '../lib/ipc';
import { buildIndex, search } from '../lib/search';
import { BrandMark } from './BrandMark';
import type { FocusRequest } from './CodeGrid';
import { CodesView } from './CodesView';
import { DetailPane, type DetailTab } from './DetailPane';
import type { ConsoleMemory } from '../lib/request';
import { Dialog } from './Dialog';
import { Icon, KindIcon } from './Icons';
import { ImportWizard } from './ImportWizard';
import { ItemForm } from './ItemForm';
import { ItemRows } from './ItemRows';
import { RequestsView } from './RequestsView';
import { TimelineView } from './TimelineView';
import { SettingsDialog } from './SettingsDialog';
import { CopyToast, type ToastData } from './Toast';

export type Nav = { t: 'all' } | { t: 'kind'; kind: Kind } | { t: 'tag'; tag: string } | { t: 'expiring' };

/** The main window shows the item list or the live 2FA codes. */
export type View = 'items' | 'codes' | 'timeline' | 'requests';

type Modal =
  | null
  | { t: 'add' }
  | { t: 'edit'; item: ItemDetail }
  | { t: 'delete'; item: ItemDetail }
  | { t: 'settings' }
  | { t: 'import'; initial?: ImportSource };

interface Props {
  status: VaultStatus;
  /** The vault was locked (by the user here, or found locked by a command). */
  onLocked: (s: VaultStatus | null) => void;
  onSettings: (s: SettingsView) => void;
}

const ACTIVITY_EVERY_MS = 15_000;
/** How often the list is read again while the window stays open. */
const RELIST_EVERY_MS = 5 * 60 * 1000;
const IS_MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
const MOD = IS_MAC ? '⌘' : 'Ctrl+';

function navKey(n: Nav): string {
  return n.t === 'kind' ? `kind:${n.kind}` : n.t === 'tag' ? `tag:${n.tag}` : n.t;
}

function navTitle(n: Nav): string {
  switch (n.t) {
    case 'all':
      return 'All items';
    case 'kind':
      return KIND_PLURAL[n.kind];
    case 'tag':
      return `#${n.tag}`;
    case 'expiring':
      return 'Expiring and due';
  }
}

function keepFor(n: Nav): (i: ItemSummary) => boolean {
  switch (n.t) {
    case 'all':
      return () => true;
    case 'kind':
      return (i) => i.kind === n.kind;
    case 'tag':
      return (i) => i.tags.includes(n.tag);
    case 'expiring':
      return (i) => needsAttention(i.status);
  }
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

export function MainView({ status, onLocked, onSettings }: Props) {
  const [list, setList] = useState<ItemList | null>(null);
  const [errors, setErrors] = useState<{ id: number; message: string }[]>([]);
  const [query, setQuery] = useState('');
  const [nav, setNav] = useState<Nav>({ t: 'all' });
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [modal, setModal] = useState<Modal>(null);
  const [toast, setToast] = useState<ToastData | null>(null);
  const [detailVersion, setDetailVersion] = useState(0);
  const [detailTab, setDetailTab] = useState<DetailTab>('details');
  // The request console's drafts by item: they survive an edit of the item; gone on lock
  // (this view unmounts).
  const [consoleMemory] = useState(() => new Map<string, ConsoleMemory>());
  const [deleting, setDeleting] = useState(false);
  const [view, setView] = useState<View>('items');
  const [codesQuery, setCodesQuery] = useState('');
  const [codesVersion, setCodesVersion] = useState(0);
  const [codesFocus, setCodesFocus] = useState<FocusRequest | null>(null);
  const searchBox = useRef<HTMLInputElement>(null);
  const tabs = useRef<HTMLDivElement>(null);
  const errorSeq = useRef(0);

  const showError = useCallback(
    (e: IpcError) => {
      if (e.kind === 'locked') {
        onLocked(null);
        return;
      }
      errorSeq.current += 1;
      const id = errorSeq.current;
      setErrors((prev) => [...prev.filter((p) => p.message !== e.message), { id, message: e.message }]);
    },
    [onLocked],
  );

  const reload = useCallback(async () => {
    try {
      setList(await itemsList());
    } catch (e) {
      showError(toIpcError(e));
    }
  }, [showError]);

  useEffect(() => {
    itemsList().then(setList, (e: unknown) => {
      showError(toIpcError(e));
    });
    settingsGet().then(onSettings, () => {
      // Only used for the auto-lock note; the settings dialog reports its own errors.
    });
  }, [showError, onSettings]);

  // Items change behind the window's back (the CLI, another app instance) and statuses
  // move with the clock (expiring → expired): list again when the window regains focus,
  // and every few minutes.
  useEffect(() => {
    const again = () => {
      void reload();
    };
    window.addEventListener('focus', again);
    const timer = window.setInterval(again, RELIST_EVERY_MS);
    return () => {
      window.removeEventListener('focus', again);
      window.clearInterval(timer);
    };
  }, [reload]);

  // Tell the auto-lock timer about real activity, at most every 15 s.
  useEffect(() => {
    let last = Date.now();
    const poke = () => {
      const now = Date.now();
      if (now - last < ACTIVITY_EVERY_MS) return;
      last = now;
      appActivity().catch((e: unknown) => {
        const err = toIpcError(e);
        if (err.kind === 'locked') onLocked(null);
      });
    };
    const opts = { capture: true, passive: true } as const;
    window.addEventListener('keydown', poke, opts);
    window.addEventListener('pointerdown', poke, opts);
    window.addEventListener('wheel', poke, opts);
    return () => {
      window.removeEventListener('keydown', poke, opts);
      window.removeEventListener('pointerdown', poke, opts);
      window.removeEventListener('wheel', poke, opts);
    };
  }, [onLocked]);

  const items = useMemo(() => list?.items ?? [], [list]);
  const index = useMemo(() => buildIndex(items), [items]);
  const filtered = useMemo(() => search(index, query, keepFor(nav)), [index, query, nav]);

  const counts = useMemo(() => {
    const kinds = new Map<Kind, number>();
    const tags = new Map<string, number>();
    let attention = 0;
    for (const i of items) {
      kinds.set(i.kind, (kinds.get(i.kind) ?? 0) + 1);
      for (const t of i.tags) tags.set(t, (tags.get(t) ?? 0) + 1);
      if (needsAttention(i.status)) attention++;
    }
    const tagList = [...tags.entries()].sort((a, b) => a[0].localeCompare(b[0]));
    return { kinds, tags: tagList, attention };
  }, [items]);

  // The highlighted row: the chosen one while it is in view, else the first result.
  const selected =
    selectedId !== null && filtered.some((i) => i.id === selectedId) ? selectedId : (filtered[0]?.id ?? null);

  const lock = useCallback(async () => {
    try {
      onLocked(await vaultLock());
    } catch (e) {
      showError(toIpcError(e));
    }
  }, [onLocked, showError]);

  const openDetail = () => {
    requestAnimationFrame(() => {
      document.querySelector<HTMLElement>('[data-testid="detail"]')?.focus();
    });
  };

  const move = (by: number) => {
    if (filtered.length === 0) return;
    const at = selected === null ? -1 : filtered.findIndex((i) => i.id === selected);
    const next = Math.min(filtered.length - 1, Math.max(0, at + by));
    const item = filtered[next];
    if (item) setSelectedId(item.id);
  };

  const listKeys = (e: KeyboardEvent<HTMLElement>) => {
    const inSearch = e.currentTarget === searchBox.current;
    switch (e.key) {
      case 'ArrowDown':
        move(1);
        break;
      case 'ArrowUp':
        move(-1);
        break;
      case 'PageDown':
        move(10);
        break;
      case 'PageUp':
        move(-10);
        break;
      case 'Home':
        if (inSearch) return;
        move(-filtered.length);
        break;
      case 'End':
        if (inSearch) return;
        move(filtered.length);
        break;
      case 'Enter':
        if (selected !== null) openDetail();
        break;
      case 'Escape':
        if (inSearch && query !== '') setQuery('');
        else return;
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  /** The search box in the Codes view: down to the cards, Escape clears. */
  const codesSearchKeys = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'Enter') {
      const card = document.querySelector<HTMLElement>('[data-testid="codes-grid"] [tabindex="0"]');
      if (!card) return;
      card.focus();
    } else if (e.key === 'Escape' && codesQuery !== '') {
      setCodesQuery('');
    } else {
      return;
    }
    e.preventDefault();
  };

  const focusSearch = useCallback(() => {
    searchBox.current?.focus();
  }, []);

  const showView = useCallback((v: View) => {
    setView(v);
  }, []);

  /** The Items | Codes tabs: arrows move between them (and switch, like any tab list). */
  const tabKeys = (e: KeyboardEvent<HTMLDivElement>) => {
    let to: View | null = null;
    if (e.key === 'ArrowRight' || e.key === 'End') to = 'codes';
    else if (e.key === 'ArrowLeft' || e.key === 'Home') to = 'items';
    if (to === null) return;
    e.preventDefault();
    setView(to);
    tabs.current?.querySelector<HTMLElement>(`[data-view="${to}"]`)?.focus();
  };

  // Global shortcuts (not while a dialog is open: it owns the keyboard).
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (modal !== null) return;
      const mod = e.ctrlKey || e.metaKey;
      if (!mod || e.altKey || e.shiftKey) return;
      const k = e.key.toLowerCase();
      if (k === 'k' || k === 'f') {
        e.preventDefault();
        searchBox.current?.focus();
        searchBox.current?.select();
      } else if (k === 'n') {
        e.preventDefault();
        setModal({ t: 'add' });
      } else if (k === 'l') {
        e.preventDefault();
        void lock();
      } else if (k === '1' || k === '2') {
        e.preventDefault();
        showView(k === '1' ? 'items' : 'codes');
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
    };
  }, [modal, lock, showView]);

  // A background renewal changed items: list again, and show the selected one anew.
  useEffect(
    () =>
      onItemsChanged(() => {
        void reload();
        setDetailVersion((v) => v + 1);
      }),
    [reload],
  );

  // Files dropped on the window in the Codes view open the import with them.
  const dropToImport = view === 'codes' && modal === null;
  useEffect(() => {
    if (!dropToImport) return;
    return onFileDrop((paths) => {
      const [path] = paths;
      if (path !== undefined) setModal({ t: 'import', initial: { kind: 'file', path } });
    });
  }, [dropToImport]);

  const openImport = useCallback(() => {
    setModal({ t: 'import' });
  }, []);
  const openAdd = useCallback(() => {
    setModal({ t: 'add' });
  }, []);

  const afterImport = (s: ImportSummary) => {
    setModal(null);
    setCodesQuery('');
    // Show the first new code (the list is read again first: the grid waits for it).
    const [first] = s.added;
    if (first !== undefined) setCodesFocus((f) => ({ name: first, seq: (f?.seq ?? 0) + 1 }));
    setView('codes');
    setCodesVersion((v) => v + 1);
    void reload();
  };

  const showInCodes = (id: string) => {
    setCodesQuery('');
    setCodesFocus((f) => ({ id, seq: (f?.seq ?? 0) + 1 }));
    setView('codes');
  };

  const afterSave = (d: ItemDetail) => {
    if (modal?.t === 'add') {
      // Show the new item even if the current filter would hide it.
      setQuery('');
      setNav({ t: 'all' });
    }
    setModal(null);
    setSelectedId(d.id);
    setDetailVersion((v) => v + 1);
    setCodesVersion((v) => v + 1);
    void reload();
  };

  const confirmDelete = async (item: ItemDetail) => {
    setDeleting(true);
    try {
      await itemDelete(item.id);
      const at = filtered.findIndex((i) => i.id === item.id);
      const next = filtered[at + 1] ?? filtered[at - 1];
      setSelectedId(next ? next.id : null);
      setModal(null);
      await reload();
    } catch (e) {
      setModal(null);
      showError(toIpcError(e));
    } finally {
      setDeleting(false);
    }
  };

  const onCopied = useCallback((c: { clear_after_s: number | null }, what: string) => {
    setToast({ key: Date.now(), what, clearAfter: c.clear_after_s });
  }, []);
  const onCodeCopied = useCallback((c: { clear_after_s: number | null }) => {
    setToast({ key: Date.now(), what: '2FA code', clearAfter: c.clear_after_s, otp: true });
  }, []);
  const dismissToast = useCallback(() => {
    setToast(null);
  }, []);

  const navButton = (n: Nav, label: React.ReactNode, n2: number, icon: React.ReactNode) => {
    const on = view === 'items' && navKey(n) === navKey(nav);
    return (
      <li key={navKey(n)}>
        <button
          type="button"
          className={`nav-item${on ? ' on' : ''}`}
          aria-current={on ? 'page' : undefined}
          onClick={() => {
            setNav(n);
            setView('items');
          }}
        >
          {icon}
          <span className="nav-label">{label}</span>
          <span className="nav-count">{n2.toLocaleString()}</span>
        </button>
      </li>
    );
  };

  const loading = list === null;
  const empty = !loading && items.length === 0;

  return (
    <div className="main">
      <aside className="sidebar" aria-label="Vault">
        <div className="sidebar-brand">
          <BrandMark />
          <span>Keywright</span>
        </div>
        <nav aria-label="Items">
          <ul>
            {navButton({ t: 'all' }, 'All items', items.length, <Icon name="all" />)}
            {navButton({ t: 'expiring' }, 'Expiring', counts.attention, <Icon name="alert" />)}
          </ul>
          <h3 className="nav-head">Kinds</h3>
          <ul>
            {KINDS.map((k) =>
              navButton({ t: 'kind', kind: k }, KIND_PLURAL[k], counts.kinds.get(k) ?? 0, <KindIcon kind={k} />),
            )}
          </ul>
          {counts.tags.length > 0 && (
            <>
              <h3 className="nav-head">Tags</h3>
              <ul className="nav-tags">
                {counts.tags.map(([t, n]) => navButton({ t: 'tag', tag: t }, t, n, <Icon name="tag" />))}
              </ul>
            </>
          )}
          <h3 className="nav-head">Tools</h3>
          <ul>
            <li>
              <button
                type="button"
                className={`nav-item${view === 'codes' ? ' on' : ''}`}
                aria-current={view === 'codes' ? 'page' : undefined}
                title={`2FA codes (${MOD}2)`}
                onClick={() => {
                  setView('codes');
                }}
              >
                <Icon name="codes" />
                <span className="nav-label">Codes</span>
                <span className="nav-count">{(counts.kinds.get('totp') ?? 0).toLocaleString()}</span>
              </button>
            </li>
            <li>
              <button
                type="button"
                className={`nav-item${view === 'timeline' ? ' on' : ''}`}
                aria-current={view === 'timeline' ? 'page' : undefined}
                title="Expiry timeline"
                onClick={() => {
                  setView('timeline');
                }}
              >
                <Icon name="timeline" />
                <span className="nav-label">Timeline</span>
                <span className="nav-count">{counts.attention.toLocaleString()}</span>
              </button>
            </li>
            <li>
              <button
                type="button"
                className={`nav-item${view === 'requests' ? ' on' : ''}`}
                aria-current={view === 'requests' ? 'page' : undefined}
                title="Test requests sent with every credential"
                onClick={() => {
                  setView('requests');
                }}
              >
                <Icon name="requests" />
                <span className="nav-label">Requests</span>
              </button>
            </li>
          </ul>
        </nav>
      </aside>

      <div className="workspace">
        <header className="topbar">
          <div className="segmented" role="tablist" aria-label="View" ref={tabs} onKeyDown={tabKeys}>
            {(
              [
                ['items', 'Items', '1'],
                ['codes', 'Codes', '2'],
              ] as const
            ).map(([v, label, key]) => (
              <button
                key={v}
                type="button"
                role="tab"
                id={`tab-${v}`}
                data-view={v}
                aria-selected={view === v}
                aria-controls="main-panel"
                tabIndex={view === v ? 0 : -1}
                title={`${label} (${MOD}${key})`}
                onClick={() => {
                  setView(v);
                }}
              >
                {label}
              </button>
            ))}
          </div>
          <div className="search">
            <Icon name="search" />
            {view === 'codes' ? (
              <input
                key="codes"
                ref={searchBox}
                type="search"
                aria-label="Search 2FA codes"
                placeholder="Search 2FA codes"
                value={codesQuery}
                spellCheck={false}
                autoComplete="off"
                onChange={(e) => {
                  setCodesQuery(e.target.value);
                }}
                onKeyDown={codesSearchKeys}
              />
            ) : (
              <input
                key="items"
                ref={searchBox}
                type="search"
                aria-label="Search items"
                placeholder={`Search ${count(items.length, 'item')}`}
                value={query}
                spellCheck={false}
                autoComplete="off"
                onChange={(e) => {
                  setQuery(e.target.value);
                  // A search from the timeline shows its results.
                  if (view === 'timeline' || view === 'requests') setView('items');
                }}
                onKeyDown={listKeys}
              />
            )}
            <kbd>{MOD}K</kbd>
          </div>
          <button
            type="button"
            className="primary"
            aria-label="New item"
            title={`New item (${MOD}N)`}
            onClick={() => {
              setModal({ t: 'add' });
            }}
          >
            <Icon name="plus" /> <span className="btn-text">New item</span>
          </button>
          <button type="button" aria-label="Lock" title={`Lock (${MOD}L)`} onClick={() => void lock()}>
            <Icon name="lock" /> <span className="btn-text">Lock</span>
          </button>
          <button
            type="button"
            className="icon-button"
            aria-label="Settings"
            title="Settings"
            onClick={() => {
              setModal({ t: 'settings' });
            }}
          >
            <Icon name="gear" size={18} />
          </button>
        </header>

        {(errors.length > 0 || (list !== null && (list.damaged.length > 0 || list.warnings.length > 0))) && (
          <div className="banners">
            {errors.map((e) => (
              <div key={e.id} className="banner banner-error" role="alert">
                <span>{e.message}</span>
                <button
                  type="button"
                  className="icon-button"
                  aria-label="Dismiss"
                  onClick={() => {
                    setErrors((prev) => prev.filter((p) => p.id !== e.id));
                  }}
                >
                  ×
                </button>
              </div>
            ))}
            {list?.warnings.map((w) => (
              <div key={w} className="banner banner-warn" role="alert">
                <span>{w}</span>
              </div>
            ))}
            {list !== null && list.damaged.length > 0 && (
              <details className="banner banner-warn" role="alert">
                <summary>
                  {count(list.damaged.length, 'item')} failed {list.damaged.length === 1 ? 'its' : 'their'} integrity
                  check
                </summary>
                <ul>
                  {list.damaged.map((d) => (
                    <li key={d.id}>
                      <code>{d.id}</code> — {d.reason}
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </div>
        )}

        {view === 'requests' ? (
          <div className="codes-panel" id="main-panel">
            <RequestsView
              items={items}
              onOpen={(id) => {
                setNav({ t: 'all' });
                setQuery('');
                setSelectedId(id);
                setDetailTab('requests');
                setView('items');
              }}
            />
          </div>
        ) : view === 'timeline' ? (
          <div className="codes-panel" id="main-panel">
            <TimelineView
              items={items}
              onOpen={(id) => {
                setNav({ t: 'all' });
                setQuery('');
                setSelectedId(id);
                setView('items');
              }}
            />
          </div>
        ) : view === 'codes' ? (
          <div className="codes-panel" role="tabpanel" id="main-panel" aria-labelledby="tab-codes">
            <CodesView
              query={codesQuery}
              onClearQuery={() => {
                setCodesQuery('');
                searchBox.current?.focus();
              }}
              version={codesVersion}
              focus={codesFocus}
              onImport={openImport}
              onAddItem={openAdd}
              onCopied={onCodeCopied}
              onError={showError}
              onLeaveTop={focusSearch}
            />
          </div>
        ) : (
        <div className="panes" role="tabpanel" id="main-panel" aria-labelledby="tab-items">
          <section className="list-pane" aria-label="Item list">
            <div className="list-head">
              <h2>{navTitle(nav)}</h2>
              <span className="muted" data-testid="result-count">
                {count(filtered.length, 'item')}
              </span>
            </div>
            {loading ? (
              <p className="muted pad">Loading items…</p>
            ) : empty ? (
              <div className="empty">
                <p>Your vault is empty.</p>
                <button
                  type="button"
                  className="primary big"
                  onClick={() => {
                    setModal({ t: 'add' });
                  }}
                >
                  <Icon name="plus" /> Add your first credential
                </button>
                <p className="muted small">API keys, tokens, OAuth clients, passwords and 2FA secrets.</p>
                <button type="button" onClick={openImport}>
                  <Icon name="import" /> Import 2FA codes…
                </button>
              </div>
            ) : filtered.length === 0 ? (
              <div className="empty">
                {query.trim() !== '' ? (
                  <>
                    <p>No items match “{query.trim()}”</p>
                    <button
                      type="button"
                      onClick={() => {
                        setQuery('');
                        searchBox.current?.focus();
                      }}
                    >
                      Clear search
                    </button>
                  </>
                ) : (
                  <p className="muted">
                    {nav.t === 'expiring' ? 'Nothing needs attention. Every credential is current.' : 'Nothing here yet.'}
                  </p>
                )}
              </div>
            ) : (
              <ItemRows
                items={filtered}
                selectedId={selected}
                resetKey={`${navKey(nav)}\u0000${query}`}
                label={navTitle(nav)}
                onSelect={setSelectedId}
                onOpen={(id) => {
                  setSelectedId(id);
                  openDetail();
                }}
                onKeyDown={listKeys}
              />
            )}
          </section>

          <div
            className="detail-pane"
            onKeyDown={(e) => {
              // Back to the list from the item.
              if (e.key === 'Escape') {
                e.preventDefault();
                document.querySelector<HTMLElement>('[data-testid="item-rows"]')?.focus();
              }
            }}
          >
            {selected !== null ? (
              <DetailPane
                key={`${selected}:${String(detailVersion)}`}
                id={selected}
                summary={filtered.find((i) => i.id === selected)}
                onEdit={(item) => {
                  setModal({ t: 'edit', item });
                }}
                onDelete={(item) => {
                  setModal({ t: 'delete', item });
                }}
                onCopied={onCopied}
                onError={showError}
                onShowInCodes={showInCodes}
                tab={detailTab}
                onTab={setDetailTab}
                consoleMemory={consoleMemory}
              />
            ) : (
              <div className="detail detail-empty">
                <p className="muted">{empty ? 'Add a credential to see it here.' : 'Select an item.'}</p>
              </div>
            )}
          </div>
        </div>
        )}
        <footer className="statusbar">
          <span className="path" title="Vault file">
            {status.path}
          </span>
          <span className="muted">
            {count(items.length, 'item')}
            {counts.attention > 0 && ` · ${count(counts.attention, 'needs', 'need')} attention`}
          </span>
        </footer>
      </div>

      {modal?.t === 'add' && (
        <ItemForm
          onImport={openImport}
          onSaved={afterSave}
          onClose={() => {
            setModal(null);
          }}
        />
      )}
      {modal?.t === 'edit' && (
        <ItemForm
          editing={modal.item}
          onSaved={afterSave}
          onClose={() => {
            setModal(null);
          }}
        />
      )}
      {modal?.t === 'delete' && (
        <Dialog
          title={`Delete “${modal.item.name}”?`}
          onClose={() => {
            setModal(null);
          }}
        >
          <div className="dialog-body">
            <p>
              This removes <strong>{modal.item.name}</strong> ({KIND_LABEL[modal.item.kind]}) and its secrets from
              the vault. It cannot be undone.
            </p>
            <footer className="dialog-foot">
              <button
                type="button"
                data-autofocus=""
                onClick={() => {
                  setModal(null);
                }}
              >
                Cancel
              </button>
              <button
                type="button"
                className="danger-solid"
                disabled={deleting}
                onClick={() => void confirmDelete(modal.item)}
              >
                {deleting ? 'Deleting…' : 'Delete item'}
              </button>
            </footer>
          </div>
        </Dialog>
      )}
      {modal?.t === 'import' && (
        <ImportWizard
          initial={modal.initial}
          onClose={() => {
            setModal(null);
          }}
          onDone={afterImport}
          onError={showError}
        />
      )}
      {modal?.t === 'settings' && (
        <SettingsDialog
          onClose={() => {
            setModal(null);
          }}
          onChanged={onSettings}
        />
      )}
      {toast && <CopyToast key={toast.key} toast={toast} onDone={dismissToast} />}
    </div>
  );
}
