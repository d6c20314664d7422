export * from './dns-server';
export * from './host-process';
export * from './network';
export * from './redis-server';
export * from './topology';
