import { coreIO } from '../../common/io.js';
import { startAction } from '../../common/entry.js';
import { run } from './main.js';

await startAction((io) => run(io), coreIO());
