// Pictures given to the Teach page — picked, dropped or pasted files, or pictures dragged from another
// page (their addresses) — sent to the worker one at a time as data: URLs. Whatever cannot be read is
// skipped with a note naming it and saying why; the rest are added.
import { dataUrlOf } from '../core/bytes';
import { t } from '../core/i18nBrowser';
import type { TeachProjectId } from '../core/teach/project';
import { request } from './api';

/** Larger files are refused before reading (the worker refuses pictures above 50 MiB anyway). */
export const MAX_FILE_BYTES = 25 * 1024 * 1024;

export interface PictureInput {
  name: string;
  read(): Promise<string>;
}

export function fromFiles(files: Iterable<File>): PictureInput[] {
  return [...files].map((file) => ({
    name: file.name || t('teachPastedPicture'),
    async read() {
      if (file.size > MAX_FILE_BYTES) throw new Error(t('teachErrFileTooLarge', `${Math.round(MAX_FILE_BYTES / 1024 / 1024)} MiB`));
      return dataUrlOf(file);
    },
  }));
}

/** Pictures dragged from a web page arrive as addresses (text/uri-list): fetched here, without cookies. */
export function fromUriList(text: string): PictureInput[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#') && /^(https?|data):/i.test(line))
    .map((url) => ({
      name: url.startsWith('data:') ? t('teachPastedPicture') : url,
      async read() {
        if (url.startsWith('data:')) return url;
        const response = await fetch(url, { credentials: 'omit' });
        if (!response.ok) throw new Error(t('errHttp', `${response.status} ${response.statusText}`.trim()));
        const blob = await response.blob();
        if (blob.size > MAX_FILE_BYTES) throw new Error(t('teachErrFileTooLarge', `${Math.round(MAX_FILE_BYTES / 1024 / 1024)} MiB`));
        return dataUrlOf(blob);
      },
    }));
}

/** Adds the pictures to the class in order; resolves with one note per picture that was skipped. */
export async function addPictures(project: TeachProjectId, classId: string, inputs: PictureInput[], onProgress: (done: number, total: number) => void): Promise<string[]> {
  const notes: string[] = [];
  for (let i = 0; i < inputs.length; i++) {
    onProgress(i, inputs.length);
    const input = inputs[i];
    let error: string | null;
    try {
      const reply = await request({ type: 'teach-add-example', project, classId, dataUrl: await input.read(), origin: input.name });
      error = reply.ok ? null : reply.error;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    if (error) notes.push(t('teachSkippedFile', [input.name, error]));
  }
  onProgress(inputs.length, inputs.length);
  return notes;
}
