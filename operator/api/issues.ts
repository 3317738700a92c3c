// Turns zod issues into one line each that names the field path and the rule, e.g.
// `spec.budget.vcpus: must be >= 1 (got -4)`. Used by the CLI (exit 2) and the controller (status).
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;
type PathKey = PropertyKey;

function valueAt(input: unknown, path: readonly PathKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function bound(issue: Issue & { code: 'too_small' | 'too_big' }): string {
  const small = issue.code === 'too_small';
  const limit = small ? issue.minimum : issue.maximum;
  const n = String(limit);
  switch (issue.origin) {
    case 'array':
    case 'set':
      return `must have ${small ? 'at least' : 'at most'} ${n} item(s)`;
    case 'string':
      return `must be ${small ? 'at least' : 'at most'} ${n} character(s)`;
    default:
      return `must be ${small ? '>' : '<'}${issue.inclusive ? '=' : ''} ${n}`;
  }
}

function rule(issue: Issue, value: unknown): string {
  switch (issue.code) {
    case 'too_small':
    case 'too_big':
      return bound(issue);
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'invalid_type':
      if (value === undefined) return 'is required';
      return issue.expected === 'int' ? 'must be an integer' : `must be a ${issue.expected}`;
    case 'unrecognized_keys':
      return `unknown field(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    default:
      return issue.message;
  }
}

function shown(value: unknown): string | null {
  if (value === undefined || (typeof value === 'object' && value !== null)) return null;
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** One line per issue, paths prefixed with `prefix` (e.g. ['spec']). */
export function describeIssues(error: z.ZodError, input: unknown, prefix: readonly string[] = []): string[] {
  return error.issues.map((issue) => {
    const path = [...issue.path];
    const value = valueAt(input, path);
    const where = [...prefix, ...path.map(String)].join('.') || '(root)';
    const text = rule(issue, value);
    const got = issue.code === 'custom' || issue.code === 'unrecognized_keys' ? null : shown(value);
    return got === null ? `${where}: ${text}` : `${where}: ${text} (got ${got})`;
  });
}
