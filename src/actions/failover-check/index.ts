import { coreIO } from '../../common/io.js';
import { runAction } from '../../common/entry.js';
import { run } from './main.js';

await runAction((io) => run(io), coreIO());
