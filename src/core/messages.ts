// Every message between the extension's contexts, as one discriminated union validated on receipt.
// Anything that does not parse is ignored by the receiver.
// zod/mini: the same validation as zod at a fraction of its size (this ships in every frame's content script).
import * as z from 'zod/mini';
import { COLORMAP_NAMES } from './colormap';
import { METHOD_IDS } from './methods';
import { Faithfulness, SanityCheck } from './metrics/results';
import { Shortcut } from './metrics/shortcut';
import { WatermarkProbe } from './metrics/watermark';
import { Normalization } from './normalization';
import { LAB_MESSAGES } from './labMessages';
import { TEACH_MESSAGES } from './teachMessages';

const MethodId = z.enum(METHOD_IDS);
/** Longer addresses are not prepared on right-click (the menu's request still explains them). */
export const MAX_PREPARED_URL = 4096;

const ClassScore = z.object({ index: z.int().check(z.nonnegative()), label: z.string(), probability: z.number() });

const Timings = z.record(z.string(), z.number());

const Rect = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() });

/**
 * How the service worker gets the pixels: fetch a URL itself, bytes read in the page (blob: URLs,
 * canvases, video frames, rasterised SVG), or a screenshot of the element when neither can be read.
 */
export const ImageSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('url'), url: z.string().check(z.minLength(1)) }),
  z.object({ kind: z.literal('dataUrl'), dataUrl: z.string().check(z.startsWith('data:')), originalUrl: z.string() }),
  z.object({ kind: z.literal('screenshot') }),
]);
export type ImageSource = z.infer<typeof ImageSource>;

/** Image bytes a frame read itself, as a data: URL. */
const PageDataUrl = z.string().check(z.startsWith('data:'));

/**
 * The content script's answer to prepare-capture: the picture's visible part in its frame's viewport,
 * with the overlay hidden; `framePath` says where the frame is (see FrameBox), null when it cannot tell.
 */
export const CaptureRegion = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    rect: Rect,
    devicePixelRatio: z.number().check(z.positive()),
    picture: Rect,
    framePath: z.nullable(z.array(z.int().check(z.nonnegative()))),
  }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type CaptureRegion = z.infer<typeof CaptureRegion>;

/**
 * A frame's answer to frame-box: where its child frame `index` (window.frames order) shows its
 * viewport, and its own viewport size, in its CSS px. Frames are named by their path of indexes
 * from the top (`window.top.frames[path[0]].frames[path[1]]…`), which every frame can work out
 * for itself without asking the page.
 */
export const FrameBox = z.object({ box: Rect, viewport: z.object({ width: z.number(), height: z.number() }) });
export type FrameBox = z.infer<typeof FrameBox>;

export const ExplanationSuccess = z.object({
  ok: z.literal(true),
  explanationId: z.string(),
  modelId: z.string(),
  modelName: z.string(),
  method: MethodId,
  layer: z.string(),
  /** The CAM paper's localization box in image pixels, when asked for (null: nothing above 20 % of max). */
  box: z.optional(z.nullable(Rect)),
  /** How the pixels were read: fetched by the worker, read in the page, or a screenshot of the visible part. */
  source: z.enum(['fetch', 'page', 'screenshot']),
  /** For screenshots: the part of the picture explained, in CSS px relative to the picture's drawn rect. */
  region: z.optional(Rect),
  /** The part of the image (its pixels, as in `image`) the model saw when it frames pictures (Teachable Machine: the central square); the map covers it. */
  crop: z.optional(Rect),
  backend: z.string(),
  classes: z.array(ClassScore),
  /** How many classes the model has (the panel offers the others by name when not all are listed). */
  classCount: z.int().check(z.positive()),
  target: ClassScore,
  /** A contrastive map ("why target and not contrast"): the map is signed, positive where target wins. */
  contrast: z.optional(ClassScore),
  image: z.object({ width: z.number(), height: z.number() }),
  /** Raw (signed, unnormalised) map, row-major. */
  map: z
    .object({ width: z.int().check(z.positive()), height: z.int().check(z.positive()), values: z.array(z.number()) })
    .check(z.refine((m) => m.values.length === m.width * m.height, 'map values do not fill width × height')),
  timingsMs: Timings,
  /** What the user should know about how the image was read, e.g. "animated GIF: the first frame is explained". */
  notes: z.optional(z.array(z.string())),
  /** Deletion and insertion of this map and of two baselines, once checked (metrics/). */
  faithfulness: z.optional(Faithfulness),
  /** The model-randomisation sanity check of this map, once run. */
  sanity: z.optional(SanityCheck),
  /** The shortcut alarm (metrics/shortcut.ts): the region the class relies on, tested causally; null when it did not fire (absent: not run). */
  shortcut: z.optional(z.nullable(Shortcut)),
});
export type ExplanationSuccess = z.infer<typeof ExplanationSuccess>;

export const ExplanationFailure = z.object({
  ok: z.literal(false),
  error: z.string(),
  /** The worker could not read the pixels; the page (drawing the element) or a screenshot may. */
  fallback: z.optional(z.enum(['page', 'screenshot'])),
});
export type ExplanationFailure = z.infer<typeof ExplanationFailure>;

export const ExplanationResult = z.discriminatedUnion('ok', [ExplanationSuccess, ExplanationFailure]);
export type ExplanationResult = z.infer<typeof ExplanationResult>;

/** Where "explain all images" stands in one tab. */
export const ExplainAllProgress = z.object({
  done: z.int().check(z.nonnegative()),
  failed: z.int().check(z.nonnegative()),
  total: z.int().check(z.nonnegative()),
  cancelled: z.boolean(),
  finished: z.boolean(),
});
export type ExplainAllProgress = z.infer<typeof ExplainAllProgress>;

export const ModelStatus = z.object({
  id: z.string(),
  name: z.string(),
  format: z.string(),
  /** Installed by the user (else bundled): size, when, and from where. */
  installed: z.optional(z.object({ sizeBytes: z.number(), installedAt: z.number(), source: z.string() })),
  /** Known once the model has loaded. */
  layer: z.nullable(z.string()),
  camApplies: z.nullable(z.boolean()),
  camUnavailable: z.nullable(z.string()),
});
export type ModelStatus = z.infer<typeof ModelStatus>;

export const Status = z.object({
  modelId: z.string(),
  modelName: z.string(),
  modelLoaded: z.boolean(),
  /** How long the loaded model took to load and to warm up (first run, kernel compilation) on its backend. */
  modelLoadMs: z.nullable(z.number()),
  modelWarmupMs: z.nullable(z.number()),
  models: z.array(ModelStatus),
  backend: z.nullable(z.string()),
  /** The user's backend setting ('auto' or a backend name). */
  backendSetting: z.string(),
  /** What the automatic choice measured here, in words (null before the first measurement). */
  backendMeasurements: z.nullable(z.string()),
  /** Why the preferred backend is not the one in use, if it is not. */
  backendNote: z.nullable(z.string()),
  renderer: z.nullable(z.string()),
  lastTimingsMs: z.nullable(Timings),
  /** "Explain all images" in the tab the popup asked about. */
  explainAll: z.optional(z.nullable(ExplainAllProgress)),
});
export type Status = z.infer<typeof Status>;

const SourceKindChoice = z.enum(['auto', 'url', 'teachable', 'tfhub']);

/** Where a model to install is: an address, files the popup left in IndexedDB (staged), or one of the catalog's downloads (by id). */
export const InstallSource = z.discriminatedUnion('kind', [
  z.object({ kind: SourceKindChoice, url: z.string().check(z.minLength(1)) }),
  z.object({ kind: z.literal('files'), stagingId: z.string(), names: z.array(z.string()) }),
  z.object({ kind: z.literal('download'), id: z.string() }),
]);

/** What the user says about a model that its files do not. */
export const InstallForm = z.object({
  displayName: z.optional(z.string()),
  inputSize: z.optional(z.object({ width: z.int().check(z.positive(), z.lte(4096)), height: z.int().check(z.positive(), z.lte(4096)) })),
  pixelScaling: z.optional(z.enum(['unit', 'symmetric', 'byte', 'meanStd'])),
  normalization: z.optional(Normalization),
  labels: z.optional(z.array(z.string())),
  /** How the model frames a picture: its central square, or all of it squashed. */
  framing: z.optional(z.enum(['center', 'whole'])),
  /** Explain it as a classifier although its outputs do not look like class scores. */
  classifier: z.optional(z.boolean()),
}).check(z.refine((f) => f.pixelScaling !== 'meanStd' || !!f.normalization, 'mean/std scaling needs the mean and std'));

export const InstallProgress = z.object({
  phase: z.enum(['download', 'check', 'done', 'failed']),
  received: z.number(),
  total: z.number(),
  name: z.optional(z.string()),
  error: z.optional(z.string()),
  modelId: z.optional(z.string()),
  /** Which source worked after others failed, in words. */
  note: z.optional(z.string()),
});
export type InstallProgress = z.infer<typeof InstallProgress>;

export const InstallReply = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), modelId: z.string(), name: z.string(), note: z.optional(z.string()) }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type InstallReply = z.infer<typeof InstallReply>;

export const DescribeReply = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), sizeBytes: z.number(), format: z.string(), url: z.string(), note: z.optional(z.string()) }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type DescribeReply = z.infer<typeof DescribeReply>;

/** The layers the active model can be explained at (popup's Layer menu), deepest first. */
export const LayersReply = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    modelId: z.string(),
    /** The model's own choice, used when the user names none. */
    automatic: z.string(),
    layers: z.array(z.object({ name: z.string(), shape: z.tuple([z.nullable(z.number()), z.nullable(z.number()), z.nullable(z.number())]) })),
  }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type LayersReply = z.infer<typeof LayersReply>;

const CheckKind = z.enum(['faithfulness', 'sanity']);

/** The worker's answer to check-map / sanity-check: the figures for the map the overlay named. */
export const CheckReply = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    explanationId: z.string(),
    classIndex: z.int().check(z.nonnegative()),
    method: MethodId,
    faithfulness: z.optional(Faithfulness),
    sanity: z.optional(SanityCheck),
    /** Answered from the cache (the same map was checked before). */
    cached: z.boolean(),
    ms: z.number(),
  }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type CheckReply = z.infer<typeof CheckReply>;

/** The worker's answer to watermark-probe. */
export const WatermarkReply = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), explanationId: z.string(), probe: WatermarkProbe }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type WatermarkReply = z.infer<typeof WatermarkReply>;

/** Which map a check is for (the overlay's current one; a stale request is refused). */
const CheckTarget = { overlayId: z.string(), explanationId: z.string(), classIndex: z.int().check(z.nonnegative()), method: MethodId };

export const Message = z.discriminatedUnion('type', [
  // background → content script (in the frame that was right-clicked)
  // from 'pointer': the keyboard shortcut (the focused picture, else the one under the pointer), not a right-click
  z.object({ type: z.literal('begin-explain'), srcUrl: z.optional(z.string()), from: z.optional(z.enum(['click', 'pointer'])) }),
  z.object({ type: z.literal('show-result'), overlayId: z.string(), result: ExplanationResult }),
  z.object({ type: z.literal('progress'), overlayId: z.string(), done: z.int().check(z.nonnegative()), total: z.int().check(z.positive()) }),
  // content script → background. These carry no authority: the worker knows the sender's tab and
  // frame from the browser, and what each of its overlays shows from its own records.
  /**
   * Another class (or method) for an overlay's image. `pixels`: the bytes the frame read itself
   * (canvas, video frame, blob:), which the worker may not have kept.
   */
  z.object({
    type: z.literal('explain-class'),
    overlayId: z.string(),
    classIndex: z.int().check(z.nonnegative()),
    method: MethodId,
    pixels: z.optional(PageDataUrl),
  }),
  z.object({ type: z.literal('cancel'), overlayId: z.string() }),
  // content script → background: check the map an overlay shows (positiveOnly: rank it as drawn with ReLU)
  z.object({ type: z.literal('check-map'), ...CheckTarget, positiveOnly: z.boolean() }),
  z.object({ type: z.literal('sanity-check'), ...CheckTarget }),
  z.object({ type: z.literal('cancel-check'), overlayId: z.string() }),
  /** "Try a watermark" on the picture an overlay shows. */
  z.object({ type: z.literal('watermark-probe'), ...CheckTarget }),
  // background → content script: a check's progress, and a check's result when the seam started it
  z.object({ type: z.literal('check-progress'), overlayId: z.string(), kind: CheckKind, done: z.int().check(z.nonnegative()), total: z.int().check(z.positive()) }),
  z.object({ type: z.literal('check-result'), overlayId: z.string(), kind: CheckKind, reply: CheckReply }),
  /** The overlay was closed: the worker may forget what it showed. */
  z.object({ type: z.literal('forget'), overlayId: z.string() }),
  /** A trusted Esc in one frame: close every overlay of the tab and stop "explain all". */
  z.object({ type: z.literal('close-all') }),
  /** Save / Copy: the overlay's explanation, composed over its image at natural resolution (`pixels` as for explain-class). */
  z.object({
    type: z.literal('export'),
    overlayId: z.string(),
    look: z.object({ opacity: z.number().check(z.gte(0), z.lte(1)), colormap: z.enum(COLORMAP_NAMES), hideNegative: z.boolean() }),
    pixels: z.optional(PageDataUrl),
    /** The map the overlay draws (while following, the worker's latest may be a newer frame still on its way). */
    explanationId: z.optional(z.string()),
  }),
  /** "Lab": the overlay's picture, model, class and method opened in the Lab (`pixels` and `explanationId` as for export). */
  z.object({ type: z.literal('open-in-lab'), overlayId: z.string(), pixels: z.optional(PageDataUrl), explanationId: z.optional(z.string()) }),
  /**
   * Explain what an overlay shows: an "explain all" image, or a right-click overlay asking again
   * after the worker restarted. The source is used only for an overlay the worker does not know yet
   * (page-read bytes are the pixels either way). `follow`: a new frame of the overlay's video (Follow
   * on), for the class the user picked if any; the worker explains one at a time per overlay and
   * answers 'busy' to a frame sent while another is in flight.
   */
  z.object({
    type: z.literal('explain'),
    overlayId: z.string(),
    source: ImageSource,
    follow: z.optional(z.object({ classIndex: z.optional(z.int().check(z.nonnegative())) })),
  }),
  /** All class names of a model, for the panel's "another class" field. */
  z.object({ type: z.literal('class-labels'), modelId: z.string() }),
  /** Is the worker still computing this overlay? (It forgets everything when Chrome stops it.) */
  z.object({ type: z.literal('ping'), overlayId: z.string() }),
  z.object({ type: z.literal('explain-all-progress'), progress: ExplainAllProgress }),
  /** The always-on content script's first use in its frame: inject the on-demand part there (that frame only). */
  z.object({ type: z.literal('load-ui') }),
  /**
   * A trusted right-click on a picture: the worker loads the model now, while the user is in the menu;
   * for an <img> with an http(s) address, it prepares that picture's explanation too.
   */
  z.object({ type: z.literal('warm-up'), srcUrl: z.optional(z.string().check(z.maxLength(MAX_PREPARED_URL), z.regex(/^https?:\/\//))) }),
  // background → content script: explain every large enough image of the frame / stop doing so
  z.object({ type: z.literal('explain-all') }),
  z.object({ type: z.literal('cancel-all') }),
  z.object({ type: z.literal('prepare-capture'), overlayId: z.string() }),
  /** To every frame of a tab: the frame at `path` answers with the FrameBox of its child `index`. */
  z.object({ type: z.literal('frame-box'), path: z.array(z.int().check(z.nonnegative())), index: z.int().check(z.nonnegative()) }),
  /** The worker cannot decode what it fetched: the page draws the element itself. */
  z.object({ type: z.literal('page-pixels'), overlayId: z.string() }),
  z.object({ type: z.literal('end-capture'), overlayId: z.string() }),
  // popup → background (load: start loading the active model to learn which methods apply); the
  // worker ignores these from content scripts.
  z.object({ type: z.literal('get-status'), load: z.optional(z.boolean()), tabId: z.optional(z.int()) }),
  z.object({ type: z.literal('list-layers') }),
  z.object({ type: z.literal('start-explain-all'), tabId: z.int() }),
  z.object({ type: z.literal('cancel-explain-all'), tabId: z.int() }),
  // popup → background: the user's own models (network only on install-model / describe-download)
  z.object({ type: z.literal('install-model'), source: InstallSource, form: InstallForm }),
  /** How much one of the catalog's downloads would download: its sources' model.json, in order, until one answers. */
  z.object({ type: z.literal('describe-download'), id: z.string() }),
  z.object({ type: z.literal('install-progress') }),
  z.object({ type: z.literal('cancel-install') }),
  z.object({ type: z.literal('delete-model'), id: z.string() }),
  // Teach (src/core/teachMessages.ts): Teach page → background, background → the right-clicked frame
  ...TEACH_MESSAGES,
  // The Lab (src/core/labMessages.ts): Lab page → background
  ...LAB_MESSAGES,
]);
export type Message = z.infer<typeof Message>;

export const ClassLabelsReply = z.object({ labels: z.array(z.string()) });
export type ClassLabelsReply = z.infer<typeof ClassLabelsReply>;

/** The content script's answer to begin-explain: the overlay it opened and where the pixels are. */
export const BeginExplainReply = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), overlayId: z.string(), source: ImageSource }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type BeginExplainReply = z.infer<typeof BeginExplainReply>;

/** The worker's answer to export: a PNG as a data URL. */
export const ExportReply = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), dataUrl: z.string().check(z.startsWith('data:image/png')) }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type ExportReply = z.infer<typeof ExportReply>;

/** The worker's answer to open-in-lab (the Lab opens in a new tab). */
export const OpenInLabReply = z.discriminatedUnion('ok', [z.object({ ok: z.literal(true) }), z.object({ ok: z.literal(false), error: z.string() })]);

/** Parses an incoming message; null for anything that is not ours. */
export function parseMessage(raw: unknown): Message | null {
  const parsed = Message.safeParse(raw);
  return parsed.success ? parsed.data : null;
}
