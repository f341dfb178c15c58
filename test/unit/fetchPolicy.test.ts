import { describe, expect, it } from 'vitest';
import { addressSpace, fetchVerdict } from '../../src/core/fetchPolicy';

describe('addressSpace', () => {
  it.each([
    ['http://127.0.0.1:8080/a.png', 'loopback'],
    ['http://127.8.9.1/a.png', 'loopback'],
    ['http://localhost/a.png', 'loopback'],
    ['http://app.localhost/a.png', 'loopback'],
    ['http://[::1]/a.png', 'loopback'],
    ['http://0.0.0.0/a.png', 'loopback'],
    ['http://10.1.2.3/a.png', 'private'],
    ['http://172.16.0.1/a.png', 'private'],
    ['http://172.31.255.1/a.png', 'private'],
    ['http://192.168.1.1/a.png', 'private'],
    ['http://169.254.169.254/latest', 'private'],
    ['http://printer.local/a.png', 'private'],
    ['http://[fd00::1]/a.png', 'private'],
    ['http://[fe80::1]/a.png', 'private'],
    ['http://[::ffff:192.168.0.1]/a.png', 'private'],
    ['http://172.32.0.1/a.png', 'public'],
    ['https://example.com/a.png', 'public'],
    ['https://8.8.8.8/a.png', 'public'],
  ])('%s is %s', (url, space) => {
    expect(addressSpace(new URL(url))).toBe(space);
  });
});

describe('fetchVerdict', () => {
  const page = 'https://shop.example/item';
  it('sends cookies only when image, frame and page are one origin', () => {
    expect(fetchVerdict('https://shop.example/p.jpg', { frameUrl: page, pageUrl: page })).toEqual({ ok: true, withCookies: true });
    // Same site, another origin: the page could not read it with its cookies.
    expect(fetchVerdict('https://cdn.shop.example/p.jpg', { frameUrl: page, pageUrl: page })).toEqual({ ok: true, withCookies: false });
    expect(fetchVerdict('https://bank.example/me.png', { frameUrl: page, pageUrl: page })).toEqual({ ok: true, withCookies: false });
    // A frame of the image's origin inside another site's page: its own requests would not carry SameSite cookies.
    expect(fetchVerdict('https://bank.example/me.png', { frameUrl: 'https://bank.example/embed', pageUrl: page })).toEqual({ ok: true, withCookies: false });
    // Unknown frame (a subframe the browser did not describe): no cookies.
    expect(fetchVerdict('https://shop.example/p.jpg', { frameUrl: undefined, pageUrl: page })).toEqual({ ok: true, withCookies: false });
  });

  it('never reaches a more private network than the page', () => {
    expect(fetchVerdict('http://127.0.0.1:9000/secret.png', { frameUrl: page, pageUrl: page })).toEqual({ ok: false, host: '127.0.0.1:9000' });
    expect(fetchVerdict('http://192.168.1.1/logo.png', { frameUrl: page, pageUrl: page })).toEqual({ ok: false, host: '192.168.1.1' });
    // A loopback frame inside a public page is no way in either.
    expect(fetchVerdict('http://localhost/x.png', { frameUrl: 'http://localhost/frame', pageUrl: page }).ok).toBe(false);
    // A page on this machine may show pictures from anywhere.
    const local = 'http://127.0.0.1:5000/';
    expect(fetchVerdict('http://127.0.0.1:5000/a.png', { frameUrl: local, pageUrl: local })).toEqual({ ok: true, withCookies: true });
    expect(fetchVerdict('http://127.0.0.1:6000/a.png', { frameUrl: local, pageUrl: local })).toEqual({ ok: true, withCookies: false });
    expect(fetchVerdict('http://192.168.1.1/a.png', { frameUrl: local, pageUrl: local }).ok).toBe(true);
    expect(fetchVerdict('https://example.com/a.png', { frameUrl: local, pageUrl: local }).ok).toBe(true);
  });

  it('data: URLs carry no cookies and reach nothing', () => {
    expect(fetchVerdict('data:image/png;base64,AAAA', { frameUrl: page, pageUrl: page })).toEqual({ ok: true, withCookies: false });
  });
});

describe('fetchVerdict with what the browser did not say', () => {
  it('an undescribed or about:blank frame counts as its page; nothing described counts as public', () => {
    const local = 'http://127.0.0.1:5000/';
    expect(fetchVerdict('http://127.0.0.1:6000/a.png', { frameUrl: undefined, pageUrl: local })).toEqual({ ok: true, withCookies: false });
    expect(fetchVerdict('http://127.0.0.1:6000/a.png', { frameUrl: undefined, pageUrl: undefined }).ok).toBe(false);
    expect(fetchVerdict('http://127.0.0.1:6000/a.png', { frameUrl: 'about:blank', pageUrl: local })).toEqual({ ok: true, withCookies: false });
    expect(fetchVerdict('http://127.0.0.1:6000/a.png', { frameUrl: 'about:blank', pageUrl: 'https://example.com/' }).ok).toBe(false);
  });
});
