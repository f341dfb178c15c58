// The Teach page's classes: one card per class with its name (editable), its examples' thumbnails
// (each removable), "Add pictures…" (a file picker), Delete; pictures can also be dropped on a card,
// or pasted while a card (or anything in it) has the focus. Redrawn whenever the worker changes the
// project (also when pictures are added by the context menu in another tab).
import { t } from '../core/i18nBrowser';
import type { TeachClass } from '../core/teach/project';
import type { StoredExample } from '../background/teach/exampleStore';
import { examples, onProjectChanged, project, request } from './api';
import { exampleCount } from './format';
import { addPictures, fromFiles, fromUriList, type PictureInput } from './files';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const PROJECT = 'main';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const element = Object.assign(document.createElement(tag), props);
  element.append(...children);
  return element;
}

/** Shows a failed edit under the class form (or clears it). */
function showError(text: string | null): void {
  const error = $('class-error');
  error.hidden = !text;
  error.textContent = text ?? '';
}

let adding: Promise<void> = Promise.resolve();

/** Resolves once the pictures given to this page so far have been added (or skipped). */
export const picturesAdded = (): Promise<void> => adding;

/** Adds pictures to a class, one batch after another, with progress and notes. */
function add(classId: string, className: string, inputs: PictureInput[]): void {
  if (inputs.length === 0) return;
  adding = adding.then(async () => {
    const status = $('adding');
    const notes = await addPictures(PROJECT, classId, inputs, (done, total) => {
      status.textContent = done < total ? t('teachAddingFiles', [String(done + 1), String(total), className]) : '';
    });
    $('notes').replaceChildren(...notes.map((n) => el('li', {}, n)));
  });
}

function card(c: TeachClass, members: StoredExample[]): HTMLElement {
  const name = el('input', { value: c.name, maxLength: 40 });
  name.setAttribute('aria-label', t('teachClassNameLabel'));
  name.addEventListener('change', async () => {
    const reply = await request({ type: 'teach-rename-class', project: PROJECT, classId: c.id, name: name.value });
    showError(reply.ok ? null : reply.error);
    if (!reply.ok) name.value = c.name;
  });
  // Changes that arrived while the name was being edited are shown once it is left.
  name.addEventListener('blur', scheduleRender);
  const picker = el('input', { type: 'file', multiple: true, accept: 'image/*', hidden: true });
  picker.addEventListener('change', () => {
    add(c.id, c.name, fromFiles(picker.files ?? []));
    picker.value = '';
  });
  const pick = el('button', { type: 'button', textContent: t('teachAddPictures') });
  pick.addEventListener('click', () => picker.click());
  const remove = el('button', { type: 'button', textContent: t('teachDeleteClass') });
  remove.setAttribute('aria-label', t('teachDeleteClassLabel', c.name));
  remove.addEventListener('click', async () => {
    if (members.length > 0 && !confirm(t('teachConfirmDelete', [c.name, exampleCount(members.length, t)]))) return;
    const reply = await request({ type: 'teach-remove-class', project: PROJECT, classId: c.id });
    showError(reply.ok ? null : reply.error);
  });
  const thumbs = el(
    'ul',
    { className: 'thumbs' },
    ...members.map((e, i) => {
      const image = el('img', { src: e.thumb, alt: t('teachExampleAlt', [String(i + 1), c.name, e.origin]) });
      image.title = e.origin;
      const drop = el('button', { type: 'button', textContent: '×' });
      drop.setAttribute('aria-label', t('teachRemoveExample', [String(i + 1), c.name]));
      drop.addEventListener('click', () => void request({ type: 'teach-remove-examples', project: PROJECT, ids: [e.id] }));
      return el('li', {}, image, drop);
    }),
  );
  const section = el(
    'section',
    { className: 'class-card', tabIndex: 0 },
    el('div', { className: 'class-head' }, name, el('span', { className: 'note', textContent: exampleCount(members.length, t) })),
    el('div', { className: 'class-actions' }, pick, remove, picker),
    el('p', { className: 'note', textContent: members.length === 0 ? t('teachDropHintEmpty') : t('teachDropHint') }),
    thumbs,
  );
  section.setAttribute('aria-label', t('teachClassLabel', c.name));
  section.dataset.classId = c.id;
  section.dataset.className = c.name;
  section.addEventListener('dragover', (e) => {
    e.preventDefault();
    section.classList.add('drop-target');
  });
  section.addEventListener('dragleave', () => section.classList.remove('drop-target'));
  section.addEventListener('drop', (e) => {
    e.preventDefault();
    section.classList.remove('drop-target');
    const files = [...(e.dataTransfer?.files ?? [])];
    add(c.id, c.name, files.length > 0 ? fromFiles(files) : fromUriList(e.dataTransfer?.getData('text/uri-list') ?? ''));
  });
  return section;
}

async function render(): Promise<void> {
  const [p, list] = await Promise.all([project(PROJECT), examples(PROJECT)]);
  const focusedClass = (document.activeElement?.closest('.class-card') as HTMLElement | null)?.dataset.classId;
  const focusedName = document.activeElement instanceof HTMLInputElement && document.activeElement.closest('.class-head');
  // A name being edited is not redrawn under the user's fingers.
  if (focusedName) return;
  $('classes').replaceChildren(...p.classes.map((c) => card(c, list.filter((e) => e.classId === c.id))));
  $('no-classes').hidden = p.classes.length > 0;
  if (focusedClass) ($('classes').querySelector<HTMLElement>(`[data-class-id="${focusedClass}"]`))?.focus();
}

let pending: ReturnType<typeof setTimeout> | undefined;
/** Many pictures added at once change the project many times: redraw at most every 200 ms. */
function scheduleRender(): void {
  clearTimeout(pending);
  pending = setTimeout(() => void render(), 200);
}

export function setupClasses(): void {
  $('add-class').addEventListener('submit', async (e) => {
    e.preventDefault();
    const input = $<HTMLInputElement>('new-class');
    const reply = await request({ type: 'teach-add-class', project: PROJECT, name: input.value });
    showError(reply.ok ? null : reply.error);
    if (reply.ok) input.value = '';
  });
  // Paste: into the class whose card has the focus.
  document.addEventListener('paste', (e) => {
    const target = (document.activeElement?.closest('.class-card') as HTMLElement | null) ?? null;
    const files = [...(e.clipboardData?.files ?? [])];
    if (files.length === 0) return;
    e.preventDefault();
    if (!target?.dataset.classId) {
      showError(t('teachPasteWhere'));
      return;
    }
    add(target.dataset.classId, target.dataset.className ?? '', fromFiles(files));
  });
  onProjectChanged(PROJECT, scheduleRender);
  void render();
}
