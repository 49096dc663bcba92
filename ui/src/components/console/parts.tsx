// Small pieces the console's panels share: a list of name/value rows and a tab strip.
import type { Row } from '../../lib/request';

export function RowsEditor({
  rows,
  onChange,
  namePlaceholder,
  valuePlaceholder,
  label,
}: {
  rows: Row[];
  onChange: (rows: Row[]) => void;
  namePlaceholder: string;
  valuePlaceholder: string;
  label: string;
}) {
  const set = (i: number, r: Partial<Row>) => {
    onChange(rows.map((x, j) => (j === i ? { ...x, ...r } : x)));
  };
  return (
    <div className="kv-rows">
      {rows.map((r, i) => (
        <div className="kv-row" key={i}>
          <input
            aria-label={`${label} ${String(i + 1)} name`}
            placeholder={namePlaceholder}
            value={r.name}
            spellCheck={false}
            onChange={(e) => {
              set(i, { name: e.target.value });
            }}
          />
          <input
            aria-label={`${label} ${String(i + 1)} value`}
            placeholder={valuePlaceholder}
            value={r.value}
            spellCheck={false}
            aria-invalid={r.value.includes('[redacted]') || undefined}
            onChange={(e) => {
              set(i, { value: e.target.value });
            }}
          />
          <button
            type="button"
            className="icon-button"
            aria-label={`Remove ${label.toLowerCase()} ${r.name || String(i + 1)}`}
            onClick={() => {
              onChange(rows.filter((_, j) => j !== i));
            }}
          >
            ×
          </button>
        </div>
      ))}
      <button
        type="button"
        className="small link-button"
        onClick={() => {
          onChange([...rows, { name: '', value: '' }]);
        }}
      >
        + Add {label.toLowerCase()}
      </button>
    </div>
  );
}

export function Tabs<T extends string>({
  value,
  options,
  onChange,
  label,
}: {
  value: T;
  options: { id: T; label: string }[];
  onChange: (v: T) => void;
  label: string;
}) {
  return (
    <div className="console-tabs" role="tablist" aria-label={label}>
      {options.map((o) => (
        <button
          key={o.id}
          type="button"
          role="tab"
          aria-selected={value === o.id}
          onClick={() => {
            onChange(o.id);
          }}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}
