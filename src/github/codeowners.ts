/**
 * CODEOWNERS as GitHub reads it: the first file found in `.github/`, the root, then `docs/`; each line a
 * pattern and its owners (`@user`, `@org/team`, or an email); for a path the **last** matching line wins, and a
 * line with a pattern but no owners leaves the path unowned.
 *
 * Patterns follow GitHub's documented rules (a subset of .gitignore): `*` any characters but `/`, `**` any
 * characters, `?` one character but `/`; a pattern with a `/` at its start or middle is anchored at the root,
 * otherwise it matches at any depth; a pattern that names a directory also matches everything below it, except
 * that `dir/*` matches only the files directly in `dir`. Negation (`!`) and character ranges (`[ ]`) are not
 * supported by GitHub: such lines are reported as invalid and skipped, as GitHub does.
 *
 * Reference: https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners
 */

export const CODEOWNERS_LOCATIONS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const;

export interface CodeOwnersRule {
  line: number;
  pattern: string;
  owners: string[];
  regex: RegExp;
}

export interface CodeOwners {
  /** Where it was read from, e.g. `.github/CODEOWNERS`. */
  path: string;
  rules: CodeOwnersRule[];
  /** Lines GitHub would reject, with the reason. */
  errors: { line: number; text: string; reason: string }[];
}

export function parseCodeOwners(text: string, path: string): CodeOwners {
  const rules: CodeOwnersRule[] = [];
  const errors: CodeOwners['errors'] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const content = stripComment(raw).trim();
    if (content === '') return;
    const [pattern, ...owners] = splitFields(content);
    if (!pattern) return;
    if (pattern.startsWith('!')) {
      errors.push({ line, text: raw, reason: 'negation (!) is not supported in CODEOWNERS' });
      return;
    }
    if (/[[\]]/.test(pattern.replace(/\\./g, ''))) {
      errors.push({ line, text: raw, reason: 'character ranges ([ ]) are not supported in CODEOWNERS' });
      return;
    }
    const bad = owners.find(
      (o) => !/^@[A-Za-z0-9-]+(\/[A-Za-z0-9_.-]+)?$/.test(o) && !/^[^@\s]+@[^@\s]+$/.test(o),
    );
    if (bad) {
      errors.push({ line, text: raw, reason: `${bad} is not a user, team or email` });
      return;
    }
    rules.push({ line, pattern, owners, regex: patternToRegex(pattern) });
  });
  return { path, rules, errors };
}

/** The owners of a path: those of the last matching rule; empty when no rule matches or the rule has none. */
export function ownersOf(codeOwners: CodeOwners, path: string): { owners: string[]; rule?: CodeOwnersRule } {
  const normalised = path.replace(/^\/+/, '');
  for (let i = codeOwners.rules.length - 1; i >= 0; i--) {
    const rule = codeOwners.rules[i]!;
    if (rule.regex.test(normalised)) return { owners: rule.owners, rule };
  }
  return { owners: [] };
}

function stripComment(line: string): string {
  let out = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) {
      out += c + line[++i];
    } else if (c === '#') {
      break;
    } else out += c;
  }
  return out;
}

/** Fields separated by unescaped whitespace (`\ ` keeps a space in a pattern). */
function splitFields(content: string): string[] {
  const fields: string[] = [];
  let current = '';
  for (let i = 0; i < content.length; i++) {
    const c = content[i]!;
    if (c === '\\' && i + 1 < content.length) {
      current += c + content[++i];
    } else if (/\s/.test(c)) {
      if (current) fields.push(current);
      current = '';
    } else current += c;
  }
  if (current) fields.push(current);
  return fields;
}

export function patternToRegex(pattern: string): RegExp {
  let p = pattern;
  const anchored = p.startsWith('/') || p.slice(0, -1).includes('/');
  if (p.startsWith('/')) p = p.slice(1);
  const directoryOnly = p.endsWith('/');
  if (directoryOnly) p = p.slice(0, -1);
  const directChildrenOnly = p.endsWith('/*');
  let body = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\' && i + 1 < p.length) {
      body += escapeRegex(p[++i]!);
    } else if (c === '*' && p[i + 1] === '*') {
      // `**/` matches zero or more directories; a trailing `**` everything below
      if (p[i + 2] === '/') {
        body += '(?:.*/)?';
        i += 2;
      } else {
        body += '.*';
        i += 1;
      }
    } else if (c === '*') body += '[^/]*';
    else if (c === '?') body += '[^/]';
    else body += escapeRegex(c);
  }
  const prefix = anchored ? '^' : '^(?:.*/)?';
  const suffix = directoryOnly ? '/.*' : directChildrenOnly ? '' : '(?:/.*)?';
  return new RegExp(`${prefix}${body}${suffix}$`);
}

function escapeRegex(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
