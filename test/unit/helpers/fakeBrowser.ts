// A stand-in for the parts of the WebExtension API the popup and the options page use: storage areas that keep their data
// and report changes, a worker that answers messages through a test's handler, English i18n.
import type { Message } from '../../../src/core/messages';
import { englishTranslate } from './englishTranslate';

type ChangeListener = (changes: Record<string, { oldValue?: unknown; newValue?: unknown }>, areaName: string) => void;

class FakeArea {
  data: Record<string, unknown> = {};
  readonly writes: Record<string, unknown>[] = [];
  constructor(
    private readonly name: string,
    private readonly listeners: ChangeListener[],
  ) {}
  async get(key: string): Promise<Record<string, unknown>> {
    return key in this.data ? { [key]: structuredClone(this.data[key]) } : {};
  }
  async set(items: Record<string, unknown>): Promise<void> {
    this.writes.push(structuredClone(items));
    const changes = Object.fromEntries(Object.entries(items).map(([k, v]) => [k, { oldValue: this.data[k], newValue: structuredClone(v) }]));
    Object.assign(this.data, structuredClone(items));
    for (const listener of this.listeners) listener(changes, this.name);
  }
}

const events = () => {
  const listeners: (() => void)[] = [];
  return { addListener: (l: () => void) => listeners.push(l), listeners };
};

/** `answer` plays the service worker: its return value is the reply; throwing makes sendMessage reject. */
export function fakeBrowser(answer: (message: Message) => unknown) {
  const changeListeners: ChangeListener[] = [];
  const sent: Message[] = [];
  /** Pages the code opened: 'options' for the options page, else the URL of a new tab. */
  const opened: string[] = [];
  return {
    sent,
    opened,
    storage: {
      sync: new FakeArea('sync', changeListeners),
      local: new FakeArea('local', changeListeners),
      onChanged: { addListener: (l: ChangeListener) => changeListeners.push(l) },
    },
    runtime: {
      id: 'cam-lens-test',
      async sendMessage(message: Message) {
        sent.push(message);
        return answer(message);
      },
      getURL: (file: string) => `chrome-extension://cam-lens-test/${file}`,
      async openOptionsPage() {
        opened.push('options');
      },
    },
    tabs: {
      query: async () => [{ id: 7 }],
      async create({ url }: { url: string }) {
        opened.push(url);
        return { id: 8 };
      },
    },
    permissions: { contains: async () => true, request: async () => true, onAdded: events(), onRemoved: events() },
    i18n: { getMessage: (key: string, substitutions?: string | string[]) => englishTranslate(key as never, substitutions) },
  };
}

export type FakeBrowser = ReturnType<typeof fakeBrowser>;
