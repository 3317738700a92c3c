// Reads a port's tensor name, element type and (partial) shape into the engine's PortInfo.
import { ServerError } from '../../errors.ts';
import type { Dimension, PortInfo } from '../types.ts';
import { describeCode, elementTypeFromCode } from './element-types.ts';
import {
  decodeDims,
  type NativePartialShape,
  type Out,
  type OvcApi,
  type Ptr,
  takeString,
} from './library.ts';
import { check } from './status.ts';

function toDimension(min: number, max: number): Dimension {
  return min === max ? min : { min, max };
}

/** Describes a const output port; `what` names it in errors ("input 0 of model.xml"). */
export function readPort(api: OvcApi, port: Ptr, what: string): PortInfo {
  const name: Out<Ptr> = [null];
  check(api, api.ov_port_get_any_name(port, name), 'OVF_ERR_ENGINE_LOAD_FAILED', `${what}: tensor name`);
  const anyName = takeString(api, name[0]);
  const type: Out<number> = [null];
  check(api, api.ov_port_get_element_type(port, type), 'OVF_ERR_ENGINE_LOAD_FAILED', `${what}: element type`);
  const elementType = elementTypeFromCode(type[0] ?? -1);
  if (elementType === undefined) {
    throw new ServerError(
      'OVF_ERR_ENGINE_LOAD_FAILED',
      `${what} (${anyName}) has element type ${describeCode(type[0] ?? -1)}, which ovfleet cannot serve`,
    );
  }
  const partial: Out<NativePartialShape> = [null];
  check(api, api.ov_port_get_partial_shape(port, partial), 'OVF_ERR_ENGINE_LOAD_FAILED', `${what}: shape`);
  const ps = partial[0];
  if (ps === null) throw new ServerError('OVF_ERR_ENGINE_LOAD_FAILED', `${what}: no shape`);
  try {
    if (Number(ps.rank.min) !== Number(ps.rank.max)) {
      throw new ServerError(
        'OVF_ERR_ENGINE_LOAD_FAILED',
        `${what} (${anyName}) has a dynamic rank, which ovfleet cannot serve`,
      );
    }
    const shape = decodeDims(ps.dims, Number(ps.rank.max)).map((d) =>
      toDimension(Number(d.min), Number(d.max)),
    );
    return { name: anyName, names: [anyName], elementType, shape };
  } finally {
    api.ov_partial_shape_free(ps);
  }
}

/** Reads `count` ports through `getPort(index)` (each freed after reading). */
export function readPorts(
  api: OvcApi,
  count: number,
  getPort: (index: number, out: Out<Ptr>) => number,
  what: string,
): PortInfo[] {
  const ports: PortInfo[] = [];
  for (let i = 0; i < count; i++) {
    const port: Out<Ptr> = [null];
    check(api, getPort(i, port), 'OVF_ERR_ENGINE_LOAD_FAILED', `${what} ${i}`);
    try {
      ports.push(readPort(api, port[0] ?? 0n, `${what} ${i}`));
    } finally {
      if (port[0]) api.ov_output_const_port_free(port[0]);
    }
  }
  return ports;
}
