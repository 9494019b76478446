// Op state.init: write the default lockstep.yaml when the state has none (`lockstep init` creates the ref with it).
import { z } from 'zod';
import { META_PATH } from '../core/layout.js';
import { defineOp } from '../core/op.js';
import { FORMAT_VERSION, Meta } from '../core/schema.js';

export const stateInit = defineOp({
  name: 'state.init',
  input: z.object({}),
  run(state) {
    // Idempotent: an existing meta (any format, any settings) is never touched.
    if (state.hasMeta()) return { changes: [], result: { created: false, format: state.meta().format } };
    const meta = Meta.parse({ format: FORMAT_VERSION });
    return {
      changes: [{ path: META_PATH, value: meta }],
      result: { created: true, format: meta.format },
      event: { subject: `format ${meta.format}`, entities: ['project'] },
    };
  },
});
