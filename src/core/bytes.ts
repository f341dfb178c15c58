// Byte helpers shared by downloads, model files and exported images.

/** Concatenates byte arrays into one fresh array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  // Chunks: String.fromCharCode(...) of a whole image would overflow the argument limit.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** A blob as a data: URL of its own type (FileReader is not needed, so this works in workers and Node). */
export async function dataUrlOf(blob: Blob): Promise<string> {
  return `data:${blob.type || 'application/octet-stream'};base64,${base64(new Uint8Array(await blob.arrayBuffer()))}`;
}
