/** The crypto core: pure functions over bytes, no I/O, the same in Node and browsers. */
export * from './account-keys';
export * from './bytes';
export * from './envelope';
export * from './errors';
export * from './identity';
export * from './key-wrap';
export * from './payload';
export * from './random';
export * from './safety-number';
export * from './vault';
