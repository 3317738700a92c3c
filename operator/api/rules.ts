// Cross-field rules of the InferenceService spec, written once and enforced twice: as CEL
// `x-kubernetes-validations` in the CRD (kubectl users see them at apply time) and as zod refinements
// (the CLI and the controller reject exactly what the API server rejects).
import type { z } from 'zod';

/** Where a rule sits, as a path of property names below `spec` ([] = spec itself). */
export type RuleSite =
  | 'root'
  | 'spec'
  | 'spec.model.source'
  | 'spec.model.versionPolicy'
  | 'spec.overrides'
  | 'spec.server';

export interface CrossFieldRule {
  readonly site: RuleSite;
  /** CEL expression evaluated with `self` = the object at `site`; must be true. */
  readonly cel: string;
  /** Path (relative to `site`) of the field the rule blames. */
  readonly field: readonly string[];
  /** Shown by the API server and, prefixed with the field path, by the CLI. */
  readonly message: string;
  /** The same rule in TypeScript, on the parsed object at `site`; returns the offending detail or null. */
  readonly violated: (self: Readonly<Record<string, unknown>>) => string | null;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const obj = (v: unknown): Readonly<Record<string, unknown>> =>
  typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
const present = (v: unknown): boolean => v !== undefined && v !== null;

export const CROSS_FIELD_RULES: readonly CrossFieldRule[] = [
  {
    site: 'root',
    cel: "self.metadata.name.size() <= 63 && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
    field: ['metadata', 'name'],
    message:
      'must be a DNS-1035 label (lowercase letters, digits and "-", starting with a letter, at most 63)',
    violated: (self) => {
      const name = obj(self.metadata).name;
      if (typeof name !== 'string') return null; // a missing name is reported by the schema
      return name.length <= 63 && /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name)
        ? null
        : `got ${JSON.stringify(name)}`;
    },
  },
  {
    site: 'spec',
    cel: '!has(self.overrides) || !has(self.overrides.vcpusPerInstance) || self.overrides.vcpusPerInstance <= self.budget.vcpus',
    field: ['overrides', 'vcpusPerInstance'],
    message: 'must be <= spec.budget.vcpus',
    violated: (self) => {
      const per = num(obj(self.overrides).vcpusPerInstance);
      const budget = num(obj(self.budget).vcpus);
      return per !== undefined && budget !== undefined && per > budget ? `got ${per} > ${budget}` : null;
    },
  },
  {
    site: 'spec',
    cel: "!has(self.device) || self.device != 'HDDL' || (has(self.budget.vpus) && self.budget.vpus >= 1)",
    field: ['budget', 'vpus'],
    message: 'must be >= 1 when spec.device is HDDL',
    violated: (self) => {
      const vpus = num(obj(self.budget).vpus) ?? 0;
      return self.device === 'HDDL' && vpus < 1 ? `got ${vpus}` : null;
    },
  },
  {
    site: 'spec.model.source',
    cel: 'has(self.pvc) != has(self.hostPath)',
    field: [],
    message: 'must set exactly one of pvc or hostPath',
    violated: (self) => {
      const n = Number(present(self.pvc)) + Number(present(self.hostPath));
      return n === 1 ? null : n === 0 ? 'got neither' : 'got both';
    },
  },
  {
    site: 'spec.model.versionPolicy',
    cel: '(has(self.latest) ? 1 : 0) + (has(self.all) ? 1 : 0) + (has(self.specific) ? 1 : 0) == 1',
    field: [],
    message: 'must set exactly one of latest, all or specific',
    violated: (self) => {
      const n = ['latest', 'all', 'specific'].filter((k) => present(self[k])).length;
      return n === 1 ? null : `got ${n}`;
    },
  },
  {
    site: 'spec.overrides',
    cel: '!has(self.streams) || !has(self.threads) || self.streams <= self.threads',
    field: ['streams'],
    message: 'must be <= spec.overrides.threads (each stream needs at least one thread)',
    violated: (self) => {
      const streams = num(self.streams);
      const threads = num(self.threads);
      return streams !== undefined && threads !== undefined && streams > threads
        ? `got ${streams} > ${threads}`
        : null;
    },
  },
  {
    site: 'spec.server',
    cel: '!has(self.grpcPort) || !has(self.restPort) || self.grpcPort != self.restPort',
    field: ['restPort'],
    message: 'must differ from spec.server.grpcPort',
    violated: (self) => {
      const grpc = num(self.grpcPort);
      return grpc !== undefined && grpc === num(self.restPort) ? `got ${grpc} for both` : null;
    },
  },
];

export function rulesAt(site: RuleSite): readonly CrossFieldRule[] {
  return CROSS_FIELD_RULES.filter((r) => r.site === site);
}

/** Attaches the cross-field rules of one site as zod refinements (issue path = the blamed field). */
export function withRules<T extends z.ZodType>(schema: T, site: RuleSite): T {
  return schema.superRefine((value, ctx) => {
    for (const rule of rulesAt(site)) {
      const detail = rule.violated(obj(value));
      if (detail !== null) {
        ctx.addIssue({ code: 'custom', path: [...rule.field], message: `${rule.message} (${detail})` });
      }
    }
  });
}
