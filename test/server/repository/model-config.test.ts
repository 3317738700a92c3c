import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseServerArgs } from '../../../server/config.ts';
import { ServerError } from '../../../server/errors.ts';
import {
  loadModelConfigs,
  parseModelConfigFile,
  parseShape,
  singleModelConfig,
} from '../../../server/repository/model-config.ts';

const settings = parseServerArgs(['--config_path', '/etc/ovfleet/config.json', '--nireq', '3']);

function configText(config: Record<string, unknown>): string {
  return JSON.stringify({ model_config_list: [{ config }] });
}

function errorOf(fn: () => unknown): ServerError {
  try {
    fn();
  } catch (error: unknown) {
    if (error instanceof ServerError) return error;
    throw error;
  }
  throw new Error('expected a ServerError');
}

describe('config file (OVMS model_config_list)', () => {
  it('reads every OVMS field and the input_precision extension', () => {
    const [model] = parseModelConfigFile(
      configText({
        name: 'resnet',
        base_path: '/models/resnet',
        nireq: 8,
        target_device: 'HDDL',
        plugin_config: { NUM_STREAMS: 4, PERFORMANCE_HINT: 'THROUGHPUT', ENABLE_CPU_PINNING: true },
        model_version_policy: { specific: { versions: [1, 3] } },
        shape: '(1,3,224,224)',
        input_precision: { data: 'UINT8', mask: 'u8' },
      }),
      settings,
    );
    expect(model).toEqual({
      name: 'resnet',
      basePath: '/models/resnet',
      nireq: 8,
      targetDevice: 'HDDL',
      pluginConfig: { NUM_STREAMS: '4', PERFORMANCE_HINT: 'THROUGHPUT', ENABLE_CPU_PINNING: 'true' },
      versionPolicy: { specific: { versions: [1, 3] } },
      shape: { single: [1, 3, 224, 224] },
      inputPrecision: { data: 'u8', mask: 'u8' },
    });
  });

  it('falls back to the server flags for nireq and device, and to the latest version', () => {
    const [model] = parseModelConfigFile(configText({ name: 'm', base_path: '/m' }), settings);
    expect(model?.nireq).toBe(3);
    expect(model?.targetDevice).toBe('CPU');
    expect(model?.versionPolicy).toEqual({ latest: { num_versions: 1 } });
  });

  it('resolves a relative base_path against the config file folder', () => {
    const [model] = parseModelConfigFile(
      configText({ name: 'm', base_path: 'models/m' }),
      settings,
      'c',
      '/srv/conf',
    );
    expect(model?.basePath).toBe('/srv/conf/models/m');
  });

  it('names the field path of a wrong value', () => {
    const error = errorOf(() =>
      parseModelConfigFile(configText({ name: 'm', base_path: '/m', nireq: 0 }), settings),
    );
    expect(error.code).toBe('OVF_ERR_CONFIG_INVALID');
    expect(error.message).toContain('model_config_list[0].config.nireq');
  });

  it('names an unknown field (a typo) instead of ignoring it', () => {
    const error = errorOf(() =>
      parseModelConfigFile(configText({ name: 'm', base_path: '/m', nireqs: 2 }), settings),
    );
    expect(error.message).toContain('model_config_list[0].config');
    expect(error.message).toContain('nireqs');
  });

  it('rejects a bad version policy, an unknown precision and duplicate names', () => {
    expect(
      errorOf(() =>
        parseModelConfigFile(
          configText({ name: 'm', base_path: '/m', model_version_policy: { newest: {} } }),
          settings,
        ),
      ).message,
    ).toContain('model_config_list[0].config.model_version_policy');
    expect(
      errorOf(() =>
        parseModelConfigFile(
          configText({ name: 'm', base_path: '/m', input_precision: { x: 'u7' } }),
          settings,
        ),
      ).message,
    ).toContain('model_config_list[0].config.input_precision.x');
    const twice = JSON.stringify({
      model_config_list: [
        { config: { name: 'm', base_path: '/a' } },
        { config: { name: 'm', base_path: '/b' } },
      ],
    });
    expect(errorOf(() => parseModelConfigFile(twice, settings)).message).toContain(
      'model_config_list[1].config.name',
    );
  });

  it('rejects text that is not JSON and an empty list', () => {
    expect(errorOf(() => parseModelConfigFile('{model_config_list', settings)).message).toContain(
      'not valid JSON',
    );
    expect(errorOf(() => parseModelConfigFile('{"model_config_list": []}', settings)).message).toContain(
      'model_config_list',
    );
  });

  it('accepts shapes keyed by input name, as a JSON string or an object', () => {
    const asString = parseModelConfigFile(
      configText({ name: 'm', base_path: '/m', shape: '{"x": "(1,3,-1,-1)"}' }),
      settings,
    );
    expect(asString[0]?.shape).toEqual({
      named: {
        x: [1, 3, { min: 0, max: -1 }, { min: 0, max: -1 }],
      },
    });
    const asObject = parseModelConfigFile(
      configText({ name: 'm', base_path: '/m', shape: { x: '(1:8,16)' } }),
      settings,
    );
    expect(asObject[0]?.shape).toEqual({ named: { x: [{ min: 1, max: 8 }, 16] } });
  });

  it('re-reads the file named by --config_path on every load', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ovf-config-'));
    const path = join(dir, 'config.json');
    const fromFile = parseServerArgs(['--config_path', path]);
    await writeFile(path, configText({ name: 'a', base_path: 'a' }));
    expect((await loadModelConfigs(fromFile)).map((m) => m.name)).toEqual(['a']);
    await writeFile(path, configText({ name: 'b', base_path: 'b' }));
    const [b] = await loadModelConfigs(fromFile);
    expect(b?.name).toBe('b');
    expect(b?.basePath).toBe(join(dir, 'b'));
  });

  it('reports a missing config file against --config_path', async () => {
    await expect(loadModelConfigs(parseServerArgs(['--config_path', '/nonexistent/c.json']))).rejects.toThrow(
      /--config_path/,
    );
  });
});

describe('single-model flags', () => {
  it('builds one model from --model_name/--model_path with the server-wide options', () => {
    const single = parseServerArgs([
      '--model_name',
      'ocr',
      '--model_path',
      '/models/ocr',
      '--nireq',
      '4',
      '--plugin_config',
      '{"NUM_STREAMS":2}',
      '--shape',
      '(1,3,32,-1)',
    ]);
    expect(singleModelConfig(single)).toEqual([
      {
        name: 'ocr',
        basePath: '/models/ocr',
        nireq: 4,
        targetDevice: 'CPU',
        pluginConfig: { NUM_STREAMS: '2' },
        versionPolicy: { latest: { num_versions: 1 } },
        shape: { single: [1, 3, 32, { min: 0, max: -1 }] },
        inputPrecision: {},
      },
    ]);
  });

  it('rejects a malformed --shape naming the flag', () => {
    const bad = parseServerArgs(['--model_name', 'm', '--model_path', '/m', '--shape', '(1,x)']);
    expect(() => singleModelConfig(bad)).toThrow(/--shape/);
  });
});

describe('shape syntax', () => {
  it('parses fixed, unbounded and ranged dimensions', () => {
    expect(parseShape('(1,3,224,224)')).toEqual([1, 3, 224, 224]);
    expect(parseShape('[2, -1, 1:10]')).toEqual([2, { min: 0, max: -1 }, { min: 1, max: 10 }]);
    expect(() => parseShape('()')).toThrow();
    expect(() => parseShape('(1,a)')).toThrow(/bad dimension/);
  });
});

describe('--model_version_policy for a single model', () => {
  it('takes the OVMS JSON form and rejects anything else naming the flag', () => {
    const base = ['--model_name', 'm', '--model_path', '/m'];
    const all = parseServerArgs([...base, '--model_version_policy', '{"all":{}}']);
    expect(singleModelConfig(all)[0]?.versionPolicy).toEqual({ all: {} });
    const bad = parseServerArgs([...base, '--model_version_policy', '{"newest":{}}']);
    expect(() => singleModelConfig(bad)).toThrow(/--model_version_policy/);
  });
});
