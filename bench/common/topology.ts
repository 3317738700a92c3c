// CPU topology facts benchmarks size their configurations by.
import { readFile } from 'node:fs/promises';

/** Hardware threads per core, from sysfs (1 when unknown). */
export async function threadsPerCore(): Promise<number> {
  try {
    const list = await readFile('/sys/devices/system/cpu/cpu0/topology/thread_siblings_list', 'utf8');
    return list.split(',').reduce((n, part) => {
      const [a, b] = part.split('-').map(Number);
      return n + (b === undefined || a === undefined ? 1 : b - a + 1);
    }, 0);
  } catch {
    return 1;
  }
}
