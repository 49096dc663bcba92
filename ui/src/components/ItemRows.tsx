import { type KeyboardEvent, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { ItemSummary } from '../bindings/ItemSummary';
import { KIND_LABEL, needsAttention } from '../lib/format';
import { KindIcon } from './Icons';
import { StatusBadge } from './StatusBadge';

export const ROW_HEIGHT = 52;
const OVERSCAN = 6;
/** Used until the list has been measured (and in jsdom, which has no layout). */
const FALLBACK_VIEWPORT = 720;

interface Props {
  items: readonly ItemSummary[];
  selectedId: string | null;
  onSelect: (id: string) => void;
  onOpen: (id: string) => void;
  onKeyDown: (e: KeyboardEvent<HTMLElement>) => void;
  /** Changes when the filter changes: the list scrolls back to the top. */
  resetKey: string;
  label: string;
}

function subtitle(item: ItemSummary): string {
  const parts: string[] = [];
  if (item.username !== null) parts.push(item.username);
  if (item.issuer !== null && item.kind === 'totp') parts.unshift(item.issuer);
  if (item.url !== null) parts.push(item.url.replace(/^https?:\/\//, ''));
  if (parts.length === 0) parts.push(KIND_LABEL[item.kind]);
  return parts.join(' · ');
}

export function rowId(id: string): string {
  return `row-${id}`;
}

/** A virtualised list: only the rows in view (plus a few) are in the DOM. */
export function ItemRows({ items, selectedId, onSelect, onOpen, onKeyDown, resetKey, label }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(0);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    setViewport(el.clientHeight);
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => {
      setViewport(el.clientHeight);
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
    };
  }, []);

  // A new filter starts at the top.
  const [shownKey, setShownKey] = useState(resetKey);
  if (shownKey !== resetKey) {
    setShownKey(resetKey);
    setScrollTop(0);
  }
  useLayoutEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 0;
  }, [resetKey]);

  const height = viewport > 0 ? viewport : FALLBACK_VIEWPORT;
  const selectedIndex = selectedId === null ? -1 : items.findIndex((i) => i.id === selectedId);

  // Keep the selected row in view.
  useEffect(() => {
    const el = scroller.current;
    if (!el || selectedIndex < 0) return;
    const top = selectedIndex * ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + height) el.scrollTop = top + ROW_HEIGHT - height;
  }, [selectedIndex, height]);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const rows = [];
  for (let i = first; i < last; i++) {
    const item = items[i];
    if (!item) continue;
    const selected = item.id === selectedId;
    rows.push(
      <div
        key={item.id}
        id={rowId(item.id)}
        role="option"
        aria-selected={selected}
        aria-posinset={i + 1}
        aria-setsize={items.length}
        className={`row${selected ? ' selected' : ''}`}
        style={{ transform: `translateY(${String(i * ROW_HEIGHT)}px)` }}
        onMouseDown={(e) => {
          e.preventDefault();
          scroller.current?.focus();
          onSelect(item.id);
        }}
        onDoubleClick={() => {
          onOpen(item.id);
        }}
      >
        <KindIcon kind={item.kind} />
        <div className="row-text">
          <span className="row-name">{item.name}</span>
          <span className="row-sub">{subtitle(item)}</span>
        </div>
        {needsAttention(item.status) && (
          <StatusBadge status={item.status} />
        )}
      </div>,
    );
  }

  return (
    <div
      ref={scroller}
      className="rows"
      role="listbox"
      aria-label={label}
      tabIndex={0}
      aria-activedescendant={selectedIndex >= 0 && selectedId !== null ? rowId(selectedId) : undefined}
      data-testid="item-rows"
      onScroll={(e) => {
        setScrollTop(e.currentTarget.scrollTop);
      }}
      onKeyDown={onKeyDown}
    >
      <div className="rows-inner" style={{ height: items.length * ROW_HEIGHT }}>
        {rows}
      </div>
    </div>
  );
}
