import { describe, expect, it } from 'vitest';
import { exportFileName } from '../../src/core/exportName';

describe('exportFileName', () => {
  it('uses the image file name, the class and the method', () => {
    expect(exportFileName('https://example.org/photos/chelsea.png?size=2', 'Cats', 'Drawing', 'gradcam')).toBe('chelsea-Drawing-gradcam.png');
  });

  it('falls back to the page title for data:, blob: and path-less URLs, then to "image"', () => {
    expect(exportFileName('data:image/png;base64,AAAA', 'My Gallery: Spring', 'Neutral', 'cam')).toBe('My-Gallery-Spring-Neutral-cam.png');
    expect(exportFileName('https://example.org/', 'Home', 'Sexy', 'cam')).toBe('Home-Sexy-cam.png');
    expect(exportFileName(null, '', 'class 17', 'scorecam')).toBe('image-class-17-scorecam.png');
  });

  it('keeps names safe: no separators, accents folded, decoded, bounded length', () => {
    expect(exportFileName('https://x.org/a%20b/caf%C3%A9%20%2F%20menu.jpeg', '', 'Porn/Sexy', 'cam')).toBe('cafe-menu-Porn-Sexy-cam.png');
    expect(exportFileName('https://x.org/' + 'a'.repeat(200) + '.png', '', 'x', 'cam').length).toBeLessThanOrEqual(60 + 1 + 1 + 1 + 3 + 4);
  });
});
