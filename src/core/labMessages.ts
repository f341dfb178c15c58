// The Lab page's messages to the worker (part of the one Message union in messages.ts) and the
// worker's answers. Only extension pages may send them; the worker checks the sender.
import * as z from 'zod/mini';
import { METHOD_IDS } from './methods';

/** The Lab's picture: bytes the page read (file, drop, paste, or an address the user typed, fetched by the page). */
export const LabImage = z.object({ kind: z.literal('dataUrl'), dataUrl: z.string().check(z.startsWith('data:')) });
export type LabImage = z.infer<typeof LabImage>;

const ModelId = z.string().check(z.minLength(1), z.maxLength(200));
const ClassIndex = z.int().check(z.nonnegative());

/** What an overlay hands the Lab it opens: read once by the Lab page, by its random id. */
export const LabHandoff = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), dataUrl: z.string().check(z.startsWith('data:')), origin: z.string(), modelId: ModelId, classIndex: ClassIndex, method: z.enum(METHOD_IDS) }),
  z.object({ ok: z.literal(false) }),
]);
export type LabHandoff = z.infer<typeof LabHandoff>;

export const LAB_MESSAGES = [
  /** The picture and settings an overlay handed over ("Lab" in its panel), once. */
  z.object({ type: z.literal('lab-handoff'), id: z.string().check(z.maxLength(64)) }),
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
