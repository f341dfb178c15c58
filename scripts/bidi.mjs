// A minimal WebDriver BiDi client over a WebSocket: commands, events, and script evaluation by value.
// Used to drive Firefox (its remote agent speaks BiDi natively; no geckodriver).
import WebSocket from 'ws';

/** A minimal WebDriver BiDi client: commands, events, and script evaluation by value. */
export class Bidi {
  #ws;
  #nextId = 0;
  #pending = new Map();
  #listeners = new Set();

  constructor(ws) {
    this.#ws = ws;
    ws.on('message', (data) => {
      const message = JSON.parse(String(data));
      const pending = message.id !== undefined ? this.#pending.get(message.id) : undefined;
      if (pending) {
        this.#pending.delete(message.id);
        if (message.type === 'error') pending.reject(new Error(`${pending.method}: ${message.error}: ${message.message}`));
        else pending.resolve(message.result);
      } else if (message.type === 'event') {
        for (const listener of this.#listeners) listener(message);
      }
    });
    ws.on('close', () => {
      for (const { reject, method } of this.#pending.values()) reject(new Error(`${method}: the BiDi connection closed`));
      this.#pending.clear();
    });
  }

  static async connect(url) {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new Bidi(ws);
  }

  send(method, params = {}) {
    return new Promise((resolve, reject) => {
      const id = ++this.#nextId;
      this.#pending.set(id, { resolve, reject, method });
      this.#ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Calls listener(event) for every BiDi event; returns the unsubscribe function. */
  onEvent(listener) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Evaluates an expression (awaiting a promise) in a browsing context and returns its value. Results
   * cross as BiDi remote values: return primitives or JSON strings.
   */
  async evaluate(context, expression) {
    const reply = await this.send('script.evaluate', { expression, target: { context }, awaitPromise: true, resultOwnership: 'none' });
    if (reply.type !== 'success') throw new Error(`script error in ${context}: ${reply.exceptionDetails?.text ?? JSON.stringify(reply.exceptionDetails)}`);
    return deserialize(reply.result);
  }

  close() {
    this.#ws.close();
  }
}

/** BiDi remote value → JS value (primitives, arrays and plain objects). */
function deserialize(value) {
  switch (value.type) {
    case 'undefined':
      return undefined;
    case 'null':
      return null;
    case 'string':
    case 'boolean':
      return value.value;
    case 'number':
      return typeof value.value === 'string' ? Number(value.value) : value.value;
    case 'array':
      return (value.value ?? []).map(deserialize);
    case 'object':
      return Object.fromEntries((value.value ?? []).map(([k, v]) => [typeof k === 'string' ? k : deserialize(k), deserialize(v)]));
    default:
      return { type: value.type };
  }
}
