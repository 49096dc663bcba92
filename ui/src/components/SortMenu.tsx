import { SORT_LABEL, type SortKey } from '../lib/sort';
import { MenuButton } from './MenuButton';

const CHOICES = (['name', 'expiry', 'updated'] as const).map((key) => ({ key, label: SORT_LABEL[key] }));

interface Props {
  value: SortKey;
  onChange: (by: SortKey) => void;
}

/** The item list's order: Name, Expiry (what needs you first) or Last changed. Sort the
 * rows with `sortItems` from lib/sort. */
export function SortMenu({ value, onChange }: Props) {
  return (
    <MenuButton
      className="sort-menu"
      label={`Sort by: ${SORT_LABEL[value]}`}
      choices={CHOICES}
      value={value}
      onPick={onChange}
      testId="sort-menu"
    >
      Sort: {SORT_LABEL[value]}
    </MenuButton>
  );
}
