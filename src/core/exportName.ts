// File names for exported explanations: "<image or page>-<class>-<method>.png" (or .json), safe on every OS.

function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\w.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 60);
}

/** The image's file name (without extension) when its URL has one, else the page title, else "image". */
export function exportFileName(imageUrl: string | null, pageTitle: string, label: string, method: string, extension: 'png' | 'json' = 'png'): string {
  let base = '';
  if (imageUrl && !imageUrl.startsWith('data:') && !imageUrl.startsWith('blob:')) {
    try {
      const last = decodeURIComponent(new URL(imageUrl).pathname.split('/').pop() ?? '');
      base = last.replace(/\.[a-z0-9]{1,5}$/i, '');
    } catch {
      base = '';
    }
  }
  const parts = [slug(base) || slug(pageTitle) || 'image', slug(label) || 'class', slug(method)];
  return `${parts.join('-')}.${extension}`;
}
