// Options every destination has, whatever its type; each adapter's schema spreads these in.
import { z } from 'zod';

export const destinationBaseShape = {
  /** Unique id of this destination: names its checkpoint file and metrics label. Default: the type. */
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'expected lower-case letters, digits, "_" or "-" (at most 63), starting with a letter or digit')
    .optional()
    .describe('Unique id of this destination (checkpoint file name, metrics label). Default: the type, then type-2, type-3...'),
};
