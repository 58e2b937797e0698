// The filter syntax of legacy list methods (crm.activity.list, crm.deal.list): `{"=ID": 5, ">ID": 10,
// "!COMPLETED": "Y", "%SUBJECT": "call", "@ID": [1,2]}` over UPPER_CASE rows. Unknown fields never match.

const OPERATORS = ['!@', '>=', '<=', '!=', '!%', '=', '!', '>', '<', '%', '@'] as const;

function split(key: string): { op: string; field: string } {
  for (const op of OPERATORS) if (key.startsWith(op)) return { op, field: key.slice(op.length).toUpperCase() };
  return { op: '=', field: key.toUpperCase() };
}

function compare(a: unknown, b: unknown): number {
  const na = Number(a);
  const nb = Number(b);
  if (a !== '' && b !== '' && !Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  return String(a).localeCompare(String(b));
}

function equal(a: unknown, b: unknown): boolean {
  if (typeof a === 'boolean' || typeof b === 'boolean') return String(a) === String(b);
  return compare(a, b) === 0;
}

export function matchesFilter(row: Record<string, unknown>, filter: Record<string, unknown>): boolean {
  for (const [key, expected] of Object.entries(filter)) {
    const { op, field } = split(key);
    if (!(field in row)) return false;
    const actual = row[field];
    const list = Array.isArray(expected) ? expected : [expected];
    let ok: boolean;
    switch (op) {
      case '>':
        ok = compare(actual, expected) > 0;
        break;
      case '>=':
        ok = compare(actual, expected) >= 0;
        break;
      case '<':
        ok = compare(actual, expected) < 0;
        break;
      case '<=':
        ok = compare(actual, expected) <= 0;
        break;
      case '%':
      case '!%':
        ok = String(actual).toLowerCase().includes(String(expected).toLowerCase()) === (op === '%');
        break;
      case '!':
      case '!=':
      case '!@':
        ok = !list.some((v) => equal(actual, v));
        break;
      default:
        ok = list.some((v) => equal(actual, v));
    }
    if (!ok) return false;
  }
  return true;
}
