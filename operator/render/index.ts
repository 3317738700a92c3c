export { DEFAULT_IMAGES, OVFLEET_SERVER_IMAGE, OVMS_IMAGE, SERVER_UID } from './images.ts';
export * from './metadata.ts';
export { type RenderedObjects, render, renderList } from './objects.ts';
export { planHash } from './plan-hash.ts';
export { CONTAINER_NAME, defaultMemory, GRPC_PORT_NAME, REST_PORT_NAME } from './pod.ts';
export { modelMountPath, pluginConfig, serverArgs, serverSettingsFor } from './server-args.ts';
