// Generates the InferenceService CustomResourceDefinition from the zod schemas: zod's JSON Schema,
// post-processed into a Kubernetes structural schema, plus the CEL rules of rules.ts, the status and
// scale subresources and printer columns. `ovfleet crd` prints crdYaml(); crds/ holds its output.
import { stringify } from 'yaml';
import { z } from 'zod';
import {
  API_GROUP,
  API_VERSION,
  CATEGORIES,
  KIND,
  LIST_KIND,
  PLURAL,
  SHORT_NAMES,
  SINGULAR,
} from './resource.ts';
import { CROSS_FIELD_RULES, type RuleSite } from './rules.ts';
import { inferenceServiceSpecSchema } from './spec.ts';
import { inferenceServiceStatusSchema } from './status.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export const CRD_NAME = `${PLURAL}.${API_GROUP}`;
export const CRD_FILE = `crds/${CRD_NAME}.yaml`;

const SAFE = Number.MAX_SAFE_INTEGER;

const isObject = (v: Json | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Rewrites zod's JSON Schema in place into what the Kubernetes API server accepts as structural. */
function structural(node: JsonObject): JsonObject {
  delete node.$schema;
  delete node.propertyNames; // records: keys are always strings in Kubernetes objects
  if (node.additionalProperties === false) delete node.additionalProperties;
  if (node.type === 'integer') {
    if (node.maximum === SAFE) delete node.maximum;
    if (node.minimum === -SAFE) delete node.minimum;
    node.format = 'int64';
  }
  if (node.type === 'string' && node.format === 'date-time') delete node.pattern;
  if (node.type === 'object' && !isObject(node.properties) && !isObject(node.additionalProperties)) {
    node.properties = {};
  }
  for (const key of ['properties'] as const) {
    const props = node[key];
    if (isObject(props)) for (const child of Object.values(props)) if (isObject(child)) structural(child);
  }
  if (isObject(node.additionalProperties)) structural(node.additionalProperties);
  if (isObject(node.items)) structural(node.items);
  if (Array.isArray(node.required) && node.required.length === 0) delete node.required;
  return node;
}

function toSchema(schema: z.ZodType): JsonObject {
  return structural(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'throw' }) as JsonObject);
}

function at(root: JsonObject, site: RuleSite): JsonObject {
  return nodeAt(root, site === 'root' ? [] : site.split('.'));
}

function nodeAt(root: JsonObject, keys: readonly string[]): JsonObject {
  const site = keys.join('.');
  let cur: Json | undefined = root;
  for (const key of keys) {
    const props: Json | undefined = isObject(cur) ? cur.properties : undefined;
    cur = isObject(props) ? props[key] : undefined;
  }
  if (!isObject(cur)) throw new Error(`CRD generation: no schema node at ${site}`);
  return cur;
}

function addRules(root: JsonObject): void {
  for (const rule of CROSS_FIELD_RULES) {
    const node = at(root, rule.site);
    const list = Array.isArray(node['x-kubernetes-validations']) ? node['x-kubernetes-validations'] : [];
    const entry: JsonObject = { rule: rule.cel, message: rule.message };
    // metadata is not part of the structural schema, so root rules name no fieldPath.
    if (rule.field.length > 0 && rule.site !== 'root') entry.fieldPath = `.${rule.field.join('.')}`;
    list.push(entry);
    node['x-kubernetes-validations'] = list;
  }
}

function openApiSchema(): JsonObject {
  const status = toSchema(inferenceServiceStatusSchema);
  const conditions = nodeAt(status, ['conditions']);
  conditions['x-kubernetes-list-type'] = 'map';
  conditions['x-kubernetes-list-map-keys'] = ['type'];
  const root: JsonObject = {
    type: 'object',
    description:
      'InferenceService serves one OpenVINO model as a fleet of right-sized model-server instances.',
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string', description: 'ovfleet.io/v1alpha1' },
      kind: { type: 'string', description: 'InferenceService' },
      metadata: { type: 'object' },
      spec: toSchema(inferenceServiceSpecSchema),
      status,
    },
  };
  addRules(root);
  return root;
}

const PRINTER_COLUMNS: JsonObject[] = [
  { name: 'Objective', type: 'string', jsonPath: '.spec.objective', description: 'latency or throughput' },
  { name: 'Device', type: 'string', jsonPath: '.spec.device', priority: 1 },
  { name: 'Runtime', type: 'string', jsonPath: '.spec.runtime', priority: 1 },
  { name: 'Replicas', type: 'integer', jsonPath: '.status.replicas', description: 'Pods of the fleet' },
  { name: 'Ready', type: 'integer', jsonPath: '.status.readyReplicas', description: 'Pods ready to serve' },
  {
    name: 'vCPU/Instance',
    type: 'integer',
    jsonPath: '.status.plan.vcpusPerInstance',
    description: 'vCPUs per instance (request = limit)',
  },
  {
    name: 'Nireq',
    type: 'integer',
    jsonPath: '.status.plan.nireq',
    description: 'Infer requests per instance',
  },
  { name: 'Fits', type: 'boolean', jsonPath: '.status.plan.fits', priority: 1 },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

/** The CRD as a plain object with the API server's JSON field names (x-kubernetes-*). */
export function crdObject(): JsonObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: CRD_NAME,
      labels: { 'app.kubernetes.io/name': 'ovfleet', 'app.kubernetes.io/part-of': 'ovfleet' },
    },
    spec: {
      group: API_GROUP,
      scope: 'Namespaced',
      names: {
        kind: KIND,
        listKind: LIST_KIND,
        plural: PLURAL,
        singular: SINGULAR,
        shortNames: [...SHORT_NAMES],
        categories: [...CATEGORIES],
      },
      versions: [
        {
          name: API_VERSION,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: openApiSchema() },
          subresources: {
            status: {},
            scale: {
              specReplicasPath: '.spec.overrides.replicas',
              statusReplicasPath: '.status.replicas',
              labelSelectorPath: '.status.selector',
            },
          },
          additionalPrinterColumns: PRINTER_COLUMNS,
        },
      ],
    },
  };
}

const HEADER = `# Generated by \`ovfleet crd\` from operator/api (zod schemas + rules.ts). Do not edit by hand:
# change the schema, then run \`node bin/ovfleet.js crd > ${CRD_FILE}\`.
`;

/** Exactly the text of crds/inferenceservices.ovfleet.io.yaml. */
export function crdYaml(): string {
  return HEADER + stringify(crdObject(), { lineWidth: 0 });
}
