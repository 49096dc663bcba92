import type { KeyboardEvent, ReactNode, RefObject } from 'react';
import type { ItemDetail } from '../bindings/ItemDetail';
import type { ItemSummary } from '../bindings/ItemSummary';
import type { SecretField } from '../bindings/SecretField';
import type { Copied, IpcError } from '../lib/ipc';
import { count, type Nav, navKey, navTitle } from '../lib/nav';
import type { ConsoleMemory } from '../lib/request';
import { DetailPane, type DetailTab, REQUEST_KINDS } from './DetailPane';
import { Icon } from './Icons';
import { ItemRows } from './ItemRows';
import { SortMenu } from './SortMenu';
import type { SortKey } from '../lib/sort';

interface Props {
  nav: Nav;
  query: string;
  loading: boolean;
  /** The vault holds no item at all. */
  empty: boolean;
  filtered: readonly ItemSummary[];
  selected: string | null;
  /** Changes when the shown item must be read again (a save here, a change elsewhere). */
  detailKey: string;
  tab: DetailTab;
  onTab: (t: DetailTab) => void;
  listHidden: boolean;
  onShowList: () => void;
  consoleMemory: Map<string, ConsoleMemory>;
  searchBox: RefObject<HTMLInputElement | null>;
  onClearQuery: () => void;
  onSelect: (id: string) => void;
  onOpen: (id: string) => void;
  onListKeys: (e: KeyboardEvent<HTMLElement>) => void;
  onAdd: () => void;
  onImport: () => void;
  onEdit: (d: ItemDetail) => void;
  onDelete: (d: ItemDetail) => void;
  onCopied: (c: Copied, what: string) => void;
  onCodeCopied: (c: Copied) => void;
  onOpenJwt: (itemId: string, field: SecretField) => void;
  onRotated: () => void;
  sort: SortKey;
  onSort: (k: SortKey) => void;
  onError: (e: IpcError) => void;
  onShowInCodes: (id: string) => void;
}

/** The item list and the selected item. With the request console open the list folds
 * away: the console gets the width a URL, headers and a response need. */
export function ItemsView(p: Props) {
  const { nav, query, filtered, selected } = p;
  const summary = selected === null ? undefined : filtered.find((i) => i.id === selected);
  const consoleOpen = p.tab === 'requests' && summary !== undefined && REQUEST_KINDS.has(summary.kind);
  const hideList = consoleOpen && p.listHidden;

  let list: ReactNode;
  if (p.loading) list = <p className="muted pad">Loading items…</p>;
  else if (p.empty) {
    list = (
      <div className="empty">
        <p>Your vault is empty.</p>
        <button type="button" className="primary big" onClick={p.onAdd}>
          <Icon name="plus" /> Add your first credential
        </button>
        <p className="muted small">API keys, tokens, OAuth clients, passwords and 2FA secrets.</p>
        <button type="button" onClick={p.onImport}>
          <Icon name="import" /> Import from a file…
        </button>
        <p className="muted small">.env files, KeePassXC, Bitwarden, 1Password, Postman, Bruno, Insomnia, CSV.</p>
      </div>
    );
  } else if (filtered.length === 0) {
    list = (
      <div className="empty">
        {query.trim() !== '' ? (
          <>
            <p>No items match “{query.trim()}”</p>
            <button type="button" onClick={p.onClearQuery}>
              Clear search
            </button>
          </>
        ) : (
          <p className="muted">
            {nav.t === 'attention' ? 'Nothing needs attention. Every credential is current.' : 'Nothing here yet.'}
          </p>
        )}
      </div>
    );
  } else {
    list = (
      <ItemRows
        items={filtered}
        selectedId={selected}
        resetKey={`${navKey(nav)}\u0000${query}`}
        label={navTitle(nav)}
        onSelect={p.onSelect}
        onOpen={p.onOpen}
        onKeyDown={p.onListKeys}
      />
    );
  }

  return (
    <div className={`panes${hideList ? ' list-hidden' : ''}`} id="main-panel" data-testid="items-view">
      {!hideList && (
        <section className="list-pane" aria-label="Item list">
          <div className="list-head">
            <h2>{navTitle(nav)}</h2>
            <span className="muted" data-testid="result-count">
              {count(filtered.length, 'item')}
            </span>
            <SortMenu value={p.sort} onChange={p.onSort} />
          </div>
          {list}
        </section>
      )}

      <div
        className="detail-pane"
        onKeyDown={(e) => {
          // Back to the list from the item.
          if (e.key === 'Escape') {
            e.preventDefault();
            const focusList = () => document.querySelector<HTMLElement>('[data-testid="item-rows"]')?.focus();
            if (hideList) {
              p.onShowList();
              requestAnimationFrame(focusList);
            } else focusList();
          }
        }}
      >
        {hideList && (
          <div className="pane-back">
            <button type="button" className="small" aria-label={`Show the list: ${navTitle(nav)}`} onClick={p.onShowList}>
              <Icon name="back" size={14} /> {navTitle(nav)}
            </button>
          </div>
        )}
        {selected !== null ? (
          <DetailPane
            key={p.detailKey}
            id={selected}
            summary={summary}
            onEdit={p.onEdit}
            onDelete={p.onDelete}
            onCopied={p.onCopied}
            onCodeCopied={p.onCodeCopied}
            onOpenJwt={p.onOpenJwt}
            onRotated={p.onRotated}
            onError={p.onError}
            onShowInCodes={p.onShowInCodes}
            tab={p.tab}
            onTab={p.onTab}
            consoleMemory={p.consoleMemory}
          />
        ) : (
          <div className="detail detail-empty">
            <p className="muted">{p.empty ? 'Add a credential to see it here.' : 'Select an item.'}</p>
          </div>
        )}
      </div>
    </div>
  );
}
