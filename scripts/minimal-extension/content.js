// Draws the worker's 7×7 map over the right-clicked image, in a closed shadow root.
let target = null;
let host = null;
addEventListener('contextmenu', (e) => (target = e.target instanceof HTMLImageElement ? e.target : null), true);

chrome.runtime.onMessage.addListener((msg, _sender, reply) => {
  const img = target?.currentSrc === msg.src ? target : [...document.images].find((i) => i.currentSrc === msg.src);
  if (!img) return void reply({ error: 'image not found' });
  draw(img, msg.map);
  requestAnimationFrame(() => requestAnimationFrame(() => reply({ painted: performance.timeOrigin + performance.now() })));
  return true;
});

function draw(img, map) {
  host?.remove();
  host = document.createElement('div');
  const root = host.attachShadow({ mode: 'closed' });
  const s = getComputedStyle(img);
  const px = (p) => parseFloat(s[p]) || 0;
  const r = img.getBoundingClientRect();
  const left = r.left + scrollX + px('borderLeftWidth') + px('paddingLeft');
  const top = r.top + scrollY + px('borderTopWidth') + px('paddingTop');
  const w = img.clientWidth - px('paddingLeft') - px('paddingRight');
  const h = img.clientHeight - px('paddingTop') - px('paddingBottom');
  host.style.cssText = `position:absolute;left:${left}px;top:${top}px;width:${w}px;height:${h}px;pointer-events:none;z-index:2147483647`;
  const n = Math.sqrt(map.length);
  const small = document.createElement('canvas');
  small.width = small.height = n;
  const sc = small.getContext('2d');
  const cells = sc.createImageData(n, n);
  map.forEach((v, i) => {
    // Blue → green → red.
    cells.data.set([255 * Math.min(1, 2 * v), 255 * (1 - Math.abs(2 * v - 1)), 255 * Math.min(1, 2 - 2 * v), 128], i * 4);
  });
  sc.putImageData(cells, 0, 0);
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(w * devicePixelRatio);
  canvas.height = Math.round(h * devicePixelRatio);
  canvas.style.cssText = 'width:100%;height:100%';
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingQuality = 'low'; // bilinear
  ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
  root.append(canvas);
  document.documentElement.append(host);
}
