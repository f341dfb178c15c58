// The Lab page's messages to the worker (part of the one Message union in messages.ts) and the
// worker's answers. Only extension pages may send them; the worker checks the sender.
import * as z from 'zod/mini';
import { METHOD_IDS } from './methods';

/** The Lab's picture: bytes the page read (file, drop, paste) or an address the user typed. */
export const LabImage = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('dataUrl'), dataUrl: z.string().check(z.startsWith('data:')) }),
  z.object({ kind: z.literal('url'), url: z.string().check(z.minLength(1), z.maxLength(4096)) }),
]);
export type LabImage = z.infer<typeof LabImage>;

const ModelId = z.string().check(z.minLength(1), z.maxLength(200));
const ClassIndex = z.int().check(z.nonnegative());

export const LAB_MESSAGES = [
  /** The layers a model can be explained at (deepest first) and its own choice. */
  z.object({ type: z.literal('lab-layers'), modelId: ModelId }),
  /** One cell: the map of one method at one layer of one model for one class (or one contrast). */
  z.object({
    type: z.literal('lab-explain'),
    image: LabImage,
    modelId: ModelId,
    method: z.enum(METHOD_IDS),
    layer: z.optional(z.string().check(z.maxLength(500))),
    classIndex: z.optional(ClassIndex),
    contrastIndex: z.optional(ClassIndex),
  }),
] as const;
