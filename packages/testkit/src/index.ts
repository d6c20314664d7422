export * from './client';
export * from './ports';
export * from './postgres';
export * from './stack';
