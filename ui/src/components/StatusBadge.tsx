import type { Status } from '../bindings/Status';
import { STATUS_LABEL } from '../lib/format';

/** A coloured badge that always carries its text (never colour alone). */
export function StatusBadge({ status }: { status: Status }) {
  return <span className={`status status-${status}`}>{STATUS_LABEL[status]}</span>;
}
