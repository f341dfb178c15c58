// The shortcut demo: builds its own project (two classes, generated pictures: every "warm light"
// picture stamped), trains it (no augmentation, fixed seed), then explains cool-light test pictures
// with and without the stamp and shows, measured, how the stamp moves the prediction — and where the
// model looks (its CAM) on the stamped ones. The user's own classes are not touched.
import { t } from '../core/i18nBrowser';
import { shortcutLine } from '../core/metrics/shortcutWords';
import type { ExplanationResult, ExplanationSuccess } from '../core/messages';
import { DEMO_SEED, demoTestPairs, demoTrainingSet, summarizeFlips, type DemoPicture } from '../core/teach/shortcutDemo';
import { explainWith, request } from './api';
import { drawDemoPicture, loadDemoPhotos } from './demoPictures';
import { describeProgress, percent } from './format';
import { pictureWithMap } from './mapCanvas';
import { train } from './training';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

class DemoError extends Error {}

/** The probability of the class with this index in a result (0 when it is not listed). */
const probabilityOf = (result: ExplanationSuccess, index: number) => result.classes.find((c) => c.index === index)?.probability ?? 0;

function ok(result: ExplanationResult): ExplanationSuccess {
  if (!result.ok) throw new DemoError(result.error);
  return result;
}

/**
 * The shortcut alarm's verdict on the stamped test pictures (the `shortcut` field every explanation
 * carries: background/metrics/shortcut.ts): on how many it fired, and its words for the first. Hidden
 * when it fired on none.
 */
function showShortcutAlarm(slot: HTMLElement, stamped: ExplanationSuccess[]): void {
  const fired = stamped.filter((r) => r.shortcut);
  slot.hidden = fired.length === 0;
  if (fired.length === 0) return;
  const first = fired[0];
  slot.textContent = t('teachDemoAlarm', [String(fired.length), String(stamped.length), shortcutLine(first.shortcut!, first.target.label, t)]);
}

async function runDemo(): Promise<void> {
  const status = $('demo-status');
  const results = $('demo-results');
  const summary = $('demo-summary');
  summary.hidden = true;
  results.replaceChildren();
  const photos = await loadDemoPhotos();
  const draw = (p: DemoPicture) => drawDemoPicture(photos[p.photo], p);

  const cleared = await request({ type: 'teach-clear', project: 'demo' });
  if (!cleared.ok) throw new DemoError(cleared.error);
  const warmName = t('teachDemoWarm');
  const coolName = t('teachDemoCool');
  const classIds: string[] = [];
  for (const name of [warmName, coolName]) {
    const reply = await request({ type: 'teach-add-class', project: 'demo', name });
    if (!reply.ok || !reply.id) throw new DemoError(reply.ok ? t('errUnknown') : reply.error);
    classIds.push(reply.id);
  }
  const [warmId, coolId] = classIds;
  const set = demoTrainingSet();
  const all = [...set.warm.map((p) => [warmId, p] as const), ...set.cool.map((p) => [coolId, p] as const)];
  for (let i = 0; i < all.length; i++) {
    status.textContent = t('teachDemoMaking', [String(i + 1), String(all.length)]);
    const [classId, picture] = all[i];
    const reply = await request({ type: 'teach-add-example', project: 'demo', classId, dataUrl: draw(picture).toDataURL('image/png'), origin: `${picture.light}-${i}` });
    if (!reply.ok) throw new DemoError(reply.error);
  }

  const outcome = await train('demo', { name: t('teachDemoModelName'), augment: false, seed: DEMO_SEED }, (p) => (status.textContent = describeProgress(p, t)));
  if (!outcome.started) throw new DemoError(outcome.error);
  if (outcome.progress.phase !== 'done' || !outcome.progress.modelId) throw new DemoError(describeProgress(outcome.progress, t));
  const modelId = outcome.progress.modelId;

  const pairs = demoTestPairs();
  const measured: { plain: number; stamped: number }[] = [];
  const stampedResults: ExplanationSuccess[] = [];
  for (let i = 0; i < pairs.length; i++) {
    status.textContent = t('teachDemoTesting', [String(i + 1), String(pairs.length)]);
    const plainPicture = draw(pairs[i].plain);
    const stampedPicture = draw(pairs[i].stamped);
    const plain = ok(await explainWith(modelId, plainPicture.toDataURL('image/png')));
    const stamped = ok(await explainWith(modelId, stampedPicture.toDataURL('image/png')));
    stampedResults.push(stamped);
    const pair = { plain: probabilityOf(plain, 0), stamped: probabilityOf(stamped, 0) };
    measured.push(pair);
    plainPicture.setAttribute('role', 'img');
    plainPicture.setAttribute('aria-label', t('teachDemoPlainAlt', [coolName, plain.target.label]));
    const caption = t('teachDemoCaption', [warmName, percent(pair.plain), percent(pair.stamped), stamped.target.label]);
    const pairView = Object.assign(document.createElement('div'), { className: 'pair' });
    pairView.append(plainPicture, pictureWithMap(stampedPicture, stamped, t('teachDemoStampedAlt', [stamped.target.label])));
    const figure = document.createElement('figure');
    figure.append(pairView, Object.assign(document.createElement('figcaption'), { textContent: caption }));
    results.append(figure);
  }
  const s = summarizeFlips(measured);
  summary.hidden = false;
  summary.textContent =
    s.stampedAsWarm > s.plainAsWarm
      ? t('teachDemoSummary', [String(s.stampedAsWarm), String(pairs.length), coolName, warmName, String(s.plainAsWarm), percent(s.meanPlain), percent(s.meanStamped)])
      : t('teachDemoNoShortcut', [String(s.stampedAsWarm), String(pairs.length), warmName, percent(s.meanPlain), percent(s.meanStamped)]);
  status.textContent = t('teachDemoDone', t('teachDemoModelName'));
  showShortcutAlarm($('shortcut-alarm'), stampedResults);
}

export function setupDemo(): void {
  const button = $<HTMLButtonElement>('run-demo');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await runDemo();
    } catch (e) {
      $('demo-status').textContent = t('teachDemoFailed', e instanceof Error ? e.message : String(e));
    } finally {
      button.disabled = false;
    }
  });
}
