// A rough password strength estimate: character-set entropy with penalties for the
// patterns people actually use. A hint, not a guarantee (the KDF does the heavy lifting).

const COMMON = [
  'password',
  'passw0rd',
  'qwerty',
  'letmein',
  'welcome',
  'admin',
  'iloveyou',
  'monkey',
  'dragon',
  'master',
  'secret',
  'keywright',
  '123456',
  'abc123',
  'azerty',
];

export interface Strength {
  bits: number;
  /** 0 = too weak … 4 = strong */
  score: 0 | 1 | 2 | 3 | 4;
  label: string;
}

export function estimateStrength(pw: string): Strength {
  if (pw === '') return { bits: 0, score: 0, label: 'Empty' };
  let pool = 0;
  if (/[a-z]/.test(pw)) pool += 26;
  if (/[A-Z]/.test(pw)) pool += 26;
  if (/[0-9]/.test(pw)) pool += 10;
  if (/[^a-zA-Z0-9]/.test(pw)) pool += 33;
  // Count runs and repeats as one character each: "aaaa" and "1234" add little.
  let effective = 0;
  for (let i = 0; i < pw.length; i++) {
    const c = pw.charCodeAt(i);
    const p = i > 0 ? pw.charCodeAt(i - 1) : -10;
    effective += c === p || c === p + 1 || c === p - 1 ? 0.25 : 1;
  }
  // Repeated chunks ("abcabc") count once.
  const unique = new Set(pw).size;
  effective = Math.min(effective, unique * 2);
  let bits = effective * Math.log2(Math.max(pool, 2));
  const lower = pw.toLowerCase();
  if (COMMON.some((w) => lower.includes(w))) bits = Math.min(bits, 20);
  bits = Math.round(bits);
  const score = bits < 28 ? 0 : bits < 45 ? 1 : bits < 60 ? 2 : bits < 80 ? 3 : 4;
  const label = ['Very weak', 'Weak', 'Fair', 'Good', 'Strong'][score] ?? 'Strong';
  return { bits, score, label };
}
