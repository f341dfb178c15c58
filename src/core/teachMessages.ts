// The Teach page's messages to the worker (part of the one Message union in messages.ts) and the
// worker's answers. Only extension pages may send them; the worker checks the sender.
import * as z from 'zod/mini';
import { TeachProjectId } from './teach/project';

const Id = z.string().check(z.minLength(1), z.maxLength(64));
/** Picked, dropped or pasted files, and the demo's generated pictures, travel as data: URLs. */
const DataUrl = z.string().check(z.startsWith('data:'));

export const TEACH_MESSAGES = [
  z.object({ type: z.literal('teach-add-class'), project: TeachProjectId, name: z.string() }),
  z.object({ type: z.literal('teach-rename-class'), project: TeachProjectId, classId: Id, name: z.string() }),
  z.object({ type: z.literal('teach-remove-class'), project: TeachProjectId, classId: Id }),
  z.object({ type: z.literal('teach-remove-examples'), project: TeachProjectId, ids: z.array(Id) }),
  /** Removes every class and example of the project. */
  z.object({ type: z.literal('teach-clear'), project: TeachProjectId }),
  /** One picture for a class; `origin` names it (a file name) in notes. */
  z.object({ type: z.literal('teach-add-example'), project: TeachProjectId, classId: Id, dataUrl: DataUrl, origin: z.string().check(z.maxLength(300)) }),
  z.object({
    type: z.literal('teach-train'),
    project: TeachProjectId,
    name: z.string().check(z.maxLength(80)),
    augment: z.boolean(),
    seed: z.int().check(z.gte(0), z.lte(0xffffffff)),
  }),
  z.object({ type: z.literal('teach-progress') }),
  z.object({ type: z.literal('teach-cancel') }),
  /** Explains a picture with one of the user's models (the demo's test pictures). */
  z.object({ type: z.literal('teach-explain'), modelId: Id, dataUrl: DataUrl }),
  // background → content script of the frame right-clicked: the picture of the last trusted right-click
  // (no overlay), the frame's large images, and a short note about what was added.
  z.object({ type: z.literal('teach-pick'), srcUrl: z.optional(z.string()) }),
  z.object({ type: z.literal('teach-list') }),
  z.object({ type: z.literal('teach-toast'), text: z.string().check(z.maxLength(600)), tone: z.enum(['busy', 'ok', 'error']) }),
] as const;

/** The answer to an edit or an added example: ok, or the user's message. */
export const TeachReply = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), id: z.optional(z.string()) }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type TeachReply = z.infer<typeof TeachReply>;

const Epoch = z.object({
  epoch: z.int(),
  loss: z.number(),
  accuracy: z.number(),
  heldOutLoss: z.nullable(z.number()),
  heldOutAccuracy: z.nullable(z.number()),
});

/** Where training stands (the Teach page polls it while it runs). */
export const TeachProgress = z.object({
  phase: z.enum(['idle', 'training', 'saving', 'done', 'failed', 'cancelled']),
  project: z.optional(TeachProjectId),
  maxEpochs: z.int(),
  history: z.array(Epoch),
  trainCount: z.int(),
  heldOutCount: z.int(),
  /** Of the kept weights, when examples were held out. */
  heldOutAccuracy: z.nullable(z.number()),
  seconds: z.number(),
  /** Of `seconds`, the head's training (the rest: building the files and installing them). */
  trainingSeconds: z.optional(z.number()),
  modelId: z.optional(z.string()),
  modelName: z.optional(z.string()),
  error: z.optional(z.string()),
});
export type TeachProgress = z.infer<typeof TeachProgress>;

export const IDLE_PROGRESS: TeachProgress = { phase: 'idle', maxEpochs: 0, history: [], trainCount: 0, heldOutCount: 0, heldOutAccuracy: null, seconds: 0 };
