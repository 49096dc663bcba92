import { type KeyboardEvent, memo, useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { OtpCode } from '../bindings/OtpCode';
import { avatarTone, codeSubtitle, codeTitle, groupOtp, initials, NEXT_CODE_SECONDS, phaseAt } from '../lib/otp';

/** Card geometry (px): fixed height so rows can be virtualised. */
export const CARD_HEIGHT = 136;
const CARD_MIN_WIDTH = 260;
/** How long a card shown by "Show in Codes" flashes (the CSS animation's length). */
export const FLASH_MS = 1200;
const GAP = 12;
const PAD = 16;
const OVERSCAN_ROWS = 2;
/** Used until the grid has been measured (and in jsdom, which has no layout). */
const FALLBACK_WIDTH = 1000;
const FALLBACK_HEIGHT = 720;

/** A HOTP code made in this view (kept until the view is left). */
export interface Generated {
  code: string;
  counter: number;
}

/** Asks for a card (by item id, or by name after an import) to take the focus once. */
export interface FocusRequest {
  id?: string;
  name?: string;
  seq: number;
}

interface GridProps {
  codes: readonly OtpCode[];
  /** Rust's clock, whole seconds. */
  now: number;
  generated: ReadonlyMap<string, Generated>;
  busy: ReadonlySet<string>;
  onActivate: (c: OtpCode) => void;
  /** Changes when the filter changes: back to the top, focus on the first card. */
  resetKey: string;
  focus: FocusRequest | null;
  /** Counts the reads of the codes: a focus request not found waits for the next one. */
  generation: number;
  /** Up from the first row (back to the search box). */
  onLeaveTop: () => void;
}

/** The countdown ring, moved once a second with the seconds label (a conic gradient set
 * from the card's render). A continuous CSS animation looked smoother but kept the
 * compositor drawing every frame: with software compositing (the app turns WebKit's
 * accelerated compositing off; the headless check has no GPU) that cost ~200 ms of CPU per second for a screen of cards, against
 * ~30 ms stepped (e2e/browser-check.mjs prints the figures). */
export function Ring({ period, left }: { period: number; left: number }) {
  const done = Math.min(1, Math.max(0, (period - left) / period));
  return (
    <span
      className="ring"
      aria-hidden="true"
      data-done={done.toFixed(3)}
      style={{ background: `conic-gradient(var(--ring-track) ${(done * 360).toFixed(1)}deg, var(--ring-on) 0deg)` }}
    >
      <span className="ring-hole" data-testid="seconds-left">
        {left}
      </span>
    </span>
  );
}

interface CardProps {
  code: OtpCode;
  index: number;
  tabbable: boolean;
  /** The code to show (TOTP/Steam), grouped. */
  shown: string | null;
  /** The next code, in the last seconds of a period only. */
  next: string | null;
  left: number;
  period: number;
  generated: Generated | undefined;
  busy: boolean;
  /** Flashes once ("Show in Codes"). */
  flash: boolean;
  onActivate: (c: OtpCode) => void;
  onFocusCard: (index: number) => void;
}

/** One code. Memoised: a tick re-renders only the cards whose seconds changed, and only
 * the cards in view exist at all. */
const CodeCard = memo(function CodeCard({
  code,
  index,
  tabbable,
  shown,
  next,
  left,
  period,
  generated,
  busy,
  flash,
  onActivate,
  onFocusCard,
}: CardProps) {
  const valueId = useId();
  const title = codeTitle(code);
  const sub = codeSubtitle(code);
  // The item's own name, when the issuer and the account do not already say it.
  const name = code.name !== title && code.name !== sub ? code.name : '';
  const hotp = code.otp_type === 'hotp';
  const label = `${sub !== '' ? `${title} (${sub})` : title}${code.name !== title && code.name !== sub ? `, ${code.name}` : ''}`;
  const ending = !hotp && left <= NEXT_CODE_SECONDS;
  // What does not change with the seconds is made once per code.
  const head = useMemo(
    () => (
      <>
        <span className={`avatar tone-${String(avatarTone(title))}`} aria-hidden="true">
          {initials(title)}
        </span>
        <span className="code-who">
          <span className="code-title">{title}</span>
          <span className="code-sub">{sub}</span>
          {name !== '' && <span className="code-sub code-name">{name}</span>}
        </span>
      </>
    ),
    [title, sub, name],
  );
  return (
    <div role="listitem" className="code-cell">
      <button
        type="button"
        className={`code-card${ending ? ' ending' : ''}${hotp ? ' hotp' : ''}${flash ? ' flash' : ''}`}
        data-index={index}
        data-id={code.id}
        tabIndex={tabbable ? 0 : -1}
        aria-label={hotp ? `Generate code for ${label}` : `Copy code for ${label}`}
        aria-describedby={valueId}
        aria-busy={busy || undefined}
        title={sub !== '' ? `${title} · ${sub}${name !== '' ? ` · ${name}` : ''}` : code.name}
        onClick={() => {
          onActivate(code);
        }}
        onFocus={() => {
          onFocusCard(index);
        }}
      >
        {head}
        {hotp ? (
          <span className="code-kind">HOTP</span>
        ) : (
          <Ring period={period} left={left} />
        )}
        <span className="code-value" id={valueId} data-testid="code-value">
          {hotp ? (
            generated ? (
              groupOtp(generated.code, 'hotp')
            ) : (
              <span className="code-generate">{busy ? 'Generating…' : 'Generate'}</span>
            )
          ) : (
            groupOtp(shown ?? '', code.otp_type)
          )}
        </span>
        <span className="code-foot" data-testid="code-foot">
          {hotp
            ? generated
              ? `counter ${String(generated.counter)}`
              : code.counter !== null
                ? `next counter ${String(code.counter)}`
                : ''
            : next !== null
              ? `next ${groupOtp(next, code.otp_type)}`
              : ''}
        </span>
      </button>
    </div>
  );
});

/** The cards, virtualised by rows: only the rows in view (plus a few, plus the focused
 * card's) are in the DOM. Arrow keys move the focus between cards (roving tabindex). */
export function CodeGrid({
  codes,
  now,
  generated,
  busy,
  onActivate,
  resetKey,
  focus,
  generation,
  onLeaveTop,
}: GridProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ w: 0, h: 0 });
  const [scrollTop, setScrollTop] = useState(0);
  const [active, setActive] = useState(0);
  const [focusTick, setFocusTick] = useState(0);
  const handledTick = useRef(0);
  /** The grid's size has been read once: a focus request waits for it (the rows and the
   * scroll position depend on the number of columns). */
  const [measured, setMeasured] = useState(false);
  /** The card that flashes ("Show in Codes"), for FLASH_MS. */
  const [flashId, setFlashId] = useState<string | null>(null);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    setSize({ w: el.clientWidth, h: el.clientHeight });
    setMeasured(true);
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => {
      setSize({ w: el.clientWidth, h: el.clientHeight });
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
    setActive(0);
  }
  useLayoutEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 0;
  }, [resetKey]);

  // "Show in Codes", or the first code of an import: focus that card once. Not in the list
  // yet (an import's codes come with the next read): wait for one more read, then give up.
  const [seenFocus, setSeenFocus] = useState(0);
  const [waitSince, setWaitSince] = useState<number | null>(null);
  if (focus !== null && focus.seq !== seenFocus) {
    const i = codes.findIndex((c) => (focus.id !== undefined ? c.id === focus.id : c.name === focus.name));
    if (i >= 0) {
      setSeenFocus(focus.seq);
      setWaitSince(null);
      setActive(i);
      setFocusTick((t) => t + 1);
      setFlashId(codes[i]?.id ?? null);
    } else if (waitSince === null) {
      setWaitSince(generation);
    } else if (generation > waitSince + 1) {
      setSeenFocus(focus.seq);
      setWaitSince(null);
    }
  }

  const width = size.w > 0 ? size.w : FALLBACK_WIDTH;
  const height = size.h > 0 ? size.h : FALLBACK_HEIGHT;
  const cols = Math.max(1, Math.floor((width - 2 * PAD + GAP) / (CARD_MIN_WIDTH + GAP)));
  const rowHeight = CARD_HEIGHT + GAP;
  const rowCount = Math.ceil(codes.length / cols);
  const at = Math.max(0, Math.min(active, codes.length - 1));
  const activeRow = Math.floor(at / cols);
  const pageRows = Math.max(1, Math.floor(height / rowHeight));

  useEffect(() => {
    if (flashId === null) return;
    const t = window.setTimeout(() => {
      setFlashId(null);
    }, FLASH_MS);
    return () => {
      window.clearTimeout(t);
    };
  }, [flashId]);

  // Keyboard moves and focus requests: bring the card into view and focus it (once the
  // grid is measured: before, the columns and so the card's row are a guess).
  useEffect(() => {
    if (!measured || focusTick === handledTick.current) return;
    handledTick.current = focusTick;
    const el = scroller.current;
    if (!el) return;
    const top = PAD + activeRow * rowHeight;
    if (top - PAD < el.scrollTop) el.scrollTop = top - PAD;
    else if (top + CARD_HEIGHT + PAD > el.scrollTop + el.clientHeight) {
      el.scrollTop = top + CARD_HEIGHT + PAD - el.clientHeight;
    }
    el.querySelector<HTMLElement>(`[data-index="${String(at)}"]`)?.focus({ preventScroll: true });
  }, [measured, focusTick, at, activeRow, rowHeight]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (!(e.target instanceof HTMLElement) || e.target.dataset.index === undefined) return;
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    let next: number;
    switch (e.key) {
      case 'ArrowRight':
        next = at + 1;
        break;
      case 'ArrowLeft':
        next = at - 1;
        break;
      case 'ArrowDown':
        // From a full row to a shorter last one: its last card.
        next = activeRow + 1 < rowCount ? Math.min(codes.length - 1, at + cols) : at;
        break;
      case 'ArrowUp':
        if (activeRow === 0) {
          e.preventDefault();
          onLeaveTop();
          return;
        }
        next = at - cols;
        break;
      case 'PageDown':
        next = Math.min(codes.length - 1, at + cols * pageRows);
        break;
      case 'PageUp':
        next = Math.max(at % cols, at - cols * pageRows);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = codes.length - 1;
        break;
      default:
        return;
    }
    e.preventDefault();
    setActive(Math.max(0, Math.min(codes.length - 1, next)));
    setFocusTick((t) => t + 1);
  };

  const first = Math.max(0, Math.floor((scrollTop - PAD) / rowHeight) - OVERSCAN_ROWS);
  const last = Math.min(rowCount, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN_ROWS);
  const rowIndexes: number[] = [];
  for (let r = first; r < last; r++) rowIndexes.push(r);
  // The focused card stays in the DOM when it scrolls away, so the focus is not lost.
  if (codes.length > 0 && (activeRow < first || activeRow >= last)) rowIndexes.push(activeRow);

  const columns = `repeat(${String(cols)}, minmax(0, 1fr))`;
  const rows = rowIndexes.map((r) => {
    const cells = [];
    for (let i = r * cols; i < Math.min(codes.length, (r + 1) * cols); i++) {
      const c = codes[i];
      if (!c) continue;
      const p = phaseAt(c, now);
      const left = p?.left ?? 0;
      cells.push(
        <CodeCard
          key={c.id}
          code={c}
          index={i}
          tabbable={i === at}
          shown={p?.code ?? null}
          next={p !== null && p.left <= NEXT_CODE_SECONDS ? p.next : null}
          left={left}
          period={p?.period ?? c.period}
          generated={generated.get(c.id)}
          busy={busy.has(c.id)}
          flash={flashId === c.id}
          onActivate={onActivate}
          onFocusCard={setActive}
        />,
      );
    }
    return (
      <div
        key={r}
        role="none"
        className="codes-row"
        style={{ transform: `translateY(${String(PAD + r * rowHeight)}px)`, gridTemplateColumns: columns }}
      >
        {cells}
      </div>
    );
  });

  return (
    <div
      ref={scroller}
      className="codes-scroll"
      onScroll={(e) => {
        setScrollTop(e.currentTarget.scrollTop);
      }}
    >
      <div
        className="codes-inner"
        role="list"
        aria-label="2FA codes"
        data-testid="codes-grid"
        style={{ height: 2 * PAD + rowCount * rowHeight - GAP }}
        onKeyDown={onKeyDown}
      >
        {rows}
      </div>
    </div>
  );
}
