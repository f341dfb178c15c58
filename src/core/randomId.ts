// Unguessable ids (128 random bits, hex). crypto.randomUUID exists only in secure contexts, and a
// content script on an http: page is not one; getRandomValues works everywhere.
export function randomId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}
