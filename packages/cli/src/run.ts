/** Runs one command: builds the context, turns failures into a clear message and a non-zero exit. */
import { type Ctx, createCtx } from './context';
import { readEnv } from './env';
import { createOutput, describeFailure, reportFailure } from './output';

export type Run = (fn: (ctx: Ctx) => Promise<void>) => Promise<void>;

export const createRunner =
  (isJson: () => boolean): Run =>
  async (fn) => {
    const env = readEnv();
    const out = createOutput(isJson());
    try {
      await fn(createCtx(env, out));
    } catch (err) {
      reportFailure(out, describeFailure(err, env.url));
      process.exitCode = 1;
    }
  };
