/**
 * The entry point for running one action locally with @github/local-action, which loads a .env file, stubs
 * @actions/core, imports this file and calls its `run()` without arguments. The actions' own `run` takes the
 * action's I/O (src/actions/<name>/main.ts), so this file hands it the @actions/core one, as each bundle's
 * index.ts does. LOCAL_ACTION in the .env file names the action:
 *
 *   npx @github/local-action run actions/plan-comment ../../examples/local-action/entrypoint.ts \
 *     examples/local-action/plan-comment.env
 */
import { startAction } from '../../src/common/entry.js';
import { coreIO } from '../../src/common/io.js';

const ACTIONS = ['apply-gate', 'canary-gate', 'failover-check', 'plan-comment'];

export async function run(): Promise<void> {
  const name = process.env['LOCAL_ACTION'] ?? '';
  if (!ACTIONS.includes(name))
    throw new Error(
      `LOCAL_ACTION is "${name}": expected one of ${ACTIONS.join(', ')} (set it in the .env file)`,
    );
  const action = (await import(`../../src/actions/${name}/main.js`)) as {
    run: (io: ReturnType<typeof coreIO>) => Promise<void>;
  };
  await startAction((io) => action.run(io), coreIO());
}
