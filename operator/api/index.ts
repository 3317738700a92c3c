export { CRD_FILE, CRD_NAME, crdObject, crdYaml } from './crd.ts';
export { describeIssues } from './issues.ts';
export * from './resource.ts';
export { CROSS_FIELD_RULES, type CrossFieldRule } from './rules.ts';
export { nodeFactsFromSpec, toSizingInput } from './sizing-input.ts';
export * from './spec.ts';
export * from './status.ts';
