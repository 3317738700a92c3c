// Reads InferenceService documents from a YAML file (or stdin for "-"), validating each at the edge.
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { type InferenceService, KIND, parseInferenceService } from '../api/resource.ts';
import { OperatorError } from '../errors.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

export async function readText(file: string): Promise<string> {
  try {
    return file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new OperatorError('OVF_ERR_INPUT_UNREADABLE', `${file}: cannot read (${reason})`, { cause: error });
  }
}

/** Every non-empty YAML document in the text, as plain data. */
export function yamlDocuments(text: string, file: string): unknown[] {
  const docs = parseAllDocuments(text, { prettyErrors: true });
  const out: unknown[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    const first = doc.errors[0];
    if (first !== undefined) {
      const line = first.linePos?.[0]?.line;
      const where = line === undefined ? file : `${file}:${line}`;
      throw new OperatorError('OVF_ERR_INPUT_NOT_YAML', `${where}: not valid YAML (${first.code})`, {
        cause: first,
      });
    }
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

/**
 * The InferenceServices in a file. Documents of other kinds are skipped (a file may also hold, say,
 * the PVC); a file with none is an error. Problems name the document when there are several.
 */
export async function readInferenceServices(
  file: string,
  overlay: (doc: Record<string, unknown>) => unknown = (doc) => doc,
): Promise<InferenceService[]> {
  const docs = yamlDocuments(await readText(file), file);
  const services = docs.filter(
    (d) => typeof d === 'object' && d !== null && (d as { kind?: unknown }).kind === KIND,
  );
  if (services.length === 0) {
    throw new OperatorError('OVF_ERR_SPEC_INVALID', `${file}: no document of kind ${KIND}`);
  }
  return services.map((doc, i) => {
    try {
      return parseInferenceService(overlay(doc as Record<string, unknown>));
    } catch (error: unknown) {
      if (!(error instanceof OperatorError) || services.length === 1) throw error;
      const name = (doc as { metadata?: { name?: unknown } }).metadata?.name;
      const label = typeof name === 'string' ? name : `#${i + 1}`;
      throw new OperatorError(error.code, `${KIND} ${label}: ${error.message}`, { cause: error });
    }
  });
}
