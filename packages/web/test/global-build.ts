/**
 * Builds the web app once per test run for every browser test of this
 * project (each used to build its own copy); the tests find it with
 * `inject('webDist')`. Tests that compare builds still build their own.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildWebApp } from '@lockbox/testkit';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    webDist: string;
  }
}

export default async function buildOnce(project: TestProject) {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-web-build-'));
  const dist = path.join(workDir, 'dist');
  await buildWebApp(dist);
  project.provide('webDist', dist);
  return () => fs.rmSync(workDir, { recursive: true, force: true });
}
