export * from './client';
export * from './fault-proxy';
export * from './messaging';
export * from './ports';
export * from './postgres';
export * from './postgres-server';
export * from './stack';
export * from './ws-client';
