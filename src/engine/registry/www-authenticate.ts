// Parsing `WWW-Authenticate` challenges (RFC 7235): a registry answers 401 with
// `Bearer realm="…",service="…",scope="…"` (token auth) or `Basic realm="…"`.
// Several challenges may share one header, and quoted values may hold commas
// (`scope="repository:a:pull,push"`), so a split on ',' is not enough.

export interface Challenge {
  /** Lower-cased scheme: 'bearer', 'basic', … */
  scheme: string;
  /** Parameters with lower-cased names. */
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;

export function parseChallenges(header: string | null | undefined): Challenge[] {
  const out: Challenge[] = [];
  if (!header) return out;
  const s = header;
  let i = 0;
  const skipSpace = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  const token = (): string | null => {
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(s);
    if (!m) return null;
    i = TOKEN.lastIndex;
    return m[0];
  };
  const quoted = (): string => {
    let v = '';
    i++; // opening quote
    while (i < s.length && s[i] !== '"') {
      if (s[i] === '\\' && i + 1 < s.length) i++;
      v += s[i++];
    }
    i++; // closing quote (or end)
    return v;
  };
  while (i < s.length) {
    skipSpace();
    if (s[i] === ',') {
      i++;
      continue;
    }
    const scheme = token();
    if (!scheme) {
      i++; // garbage: skip a character and try again
      continue;
    }
    const ch: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(ch);
    // Parameters: name=value pairs separated by commas, until the next scheme
    // (a token not followed by '=').
    for (;;) {
      skipSpace();
      while (s[i] === ',') {
        i++;
        skipSpace();
      }
      const start = i;
      const name = token();
      if (!name) break;
      skipSpace();
      if (s[i] !== '=') {
        i = start; // a new challenge begins here
        break;
      }
      i++;
      skipSpace();
      const value = s[i] === '"' ? quoted() : (token() ?? '');
      ch.params[name.toLowerCase()] = value;
    }
  }
  return out;
}
