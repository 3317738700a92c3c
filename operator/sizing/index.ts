export { acceleratorResource, DEVICE_PROFILES, type DeviceProfile, NIREQ_PER_VPU } from './devices.ts';
export { plan } from './plan.ts';
export { SMALL_THROUGHPUT_BUDGET, THROUGHPUT_INSTANCE_VCPUS } from './shape.ts';
export * from './types.ts';
export { VCPUS_PER_OVFLEET_WORKER } from './workers.ts';
