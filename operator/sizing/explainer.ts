// Collects the rationale lines of a plan in the order the numbers were decided, so
// `ovfleet plan --explain` reads top to bottom like the reasoning itself.

import type { Rationale } from './types.ts';

export class Explainer {
  #lines: Rationale[] = [];

  add(field: string, value: string | number | boolean, reason: string): void {
    this.#lines.push({ field, value: String(value), reason });
  }

  lines(): Rationale[] {
    return this.#lines.map((line) => ({ ...line }));
  }
}

/** "4 vCPUs (2 physical cores with hyper-threading)" — how a vCPU count maps onto cores. */
export function describeVcpus(vcpus: number, threadsPerCore: number): string {
  const unit = vcpus === 1 ? 'vCPU' : 'vCPUs';
  if (threadsPerCore <= 1) return `${vcpus} ${unit} (${vcpus} physical ${vcpus === 1 ? 'core' : 'cores'})`;
  const cores = vcpus / threadsPerCore;
  if (Number.isInteger(cores)) {
    return `${vcpus} ${unit} (${cores} physical ${cores === 1 ? 'core' : 'cores'} with hyper-threading)`;
  }
  const touched = Math.ceil(cores);
  return `${vcpus} ${unit} (spread over ${touched} physical ${touched === 1 ? 'core' : 'cores'}, ${threadsPerCore} threads each)`;
}
