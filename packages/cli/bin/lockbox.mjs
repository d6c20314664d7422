#!/usr/bin/env node
// The `lockbox` command. The CLI is TypeScript run through tsx (the repo has no build step).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
