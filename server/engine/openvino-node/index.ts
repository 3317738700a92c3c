// Opens the openvino-node backend when the optional package and its downloaded runtime both load.
import type { Logger } from 'pino';
import type { OvnAddon } from './addon.ts';
import { OpenvinoNodeEngine } from './engine.ts';

export interface NodeOpenAttempt {
  readonly engine: OpenvinoNodeEngine | undefined;
  readonly reasons: string[];
}

const PACKAGE = 'openvino-node';

export async function openOpenvinoNodeEngine(logger?: Logger): Promise<NodeOpenAttempt> {
  try {
    // A variable specifier: the package is optional and may be missing when this file is type-checked.
    const specifier: string = PACKAGE;
    const mod = (await import(specifier)) as { addon?: OvnAddon; default?: { addon?: OvnAddon } };
    const addon = mod.addon ?? mod.default?.addon;
    if (!addon) return { engine: undefined, reasons: [`${PACKAGE} loaded but exports no addon`] };
    return { engine: new OpenvinoNodeEngine(addon, logger), reasons: [] };
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { engine: undefined, reasons: [`import ${PACKAGE} failed: ${message}`] };
  }
}
