import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/config.js';
import { defaultAllowedPushHosts, parseAllowedPushHost, parseAllowedPushHosts, webPushEndpointProblem } from './web-push-endpoint-policy.js';

const allowedByDefault = (endpoint: string) => webPushEndpointProblem(new URL(endpoint), defaultAllowedPushHosts()) === undefined;

describe('issue 14.2: SSRF through Web Push subscriptions (endpoint allow-list)', () => {
  it('the default list admits the browsers’ push services over https on 443', () => {
    for (const endpoint of [
      'https://fcm.googleapis.com/fcm/send/x',
      'https://android.googleapis.com/gcm/send/x',
      'https://updates.push.services.mozilla.com/wpush/v2/x',
      'https://updates-autopush.stage.push.services.mozilla.com/wpush/v2/x',
      'https://web.push.apple.com/x',
      'https://WEB.PUSH.APPLE.COM:443/x',
      'https://wns2-by3p.notify.windows.com/w/?token=x',
    ]) {
      expect(allowedByDefault(endpoint), endpoint).toBe(true);
    }
  });

  it.each([
    ['loopback', 'https://127.0.0.1/x', /IP addresses/],
    ['loopback in decimal', 'https://2130706433/x', /IP addresses/],
    ['loopback in hex', 'https://0x7f.1/x', /IP addresses/],
    ['private', 'https://10.1.2.3/x', /IP addresses/],
    ['link-local / metadata', 'https://169.254.169.254/latest/meta-data/', /IP addresses/],
    ['IPv6 loopback', 'https://[::1]/x', /IP addresses/],
    ['IPv4-mapped IPv6', 'https://[::ffff:7f00:1]/x', /IP addresses/],
    ['localhost', 'https://localhost/x', /host not allow-listed/],
    ['metadata host name', 'https://metadata.google.internal/x', /host not allow-listed/],
    ['http', 'http://fcm.googleapis.com/fcm/send/x', /https is required/],
    ['another scheme', 'ftp://fcm.googleapis.com/x', /https is required/],
    ['a port', 'https://fcm.googleapis.com:8443/x', /no port other than 443/],
    ['userinfo', 'https://u:p@fcm.googleapis.com/x', /credentials/],
    ['a wildcard’s own domain', 'https://push.apple.com/x', /host not allow-listed/],
    ['a suffix without the dot', 'https://evilpush.apple.com/x', /host not allow-listed/],
    ['an allowed name as a prefix', 'https://fcm.googleapis.com.attacker.example/x', /host not allow-listed/],
    ['another googleapis host', 'https://storage.googleapis.com/bucket/x', /host not allow-listed/],
    ['a trailing dot', 'https://fcm.googleapis.com./x', /host not allow-listed/],
  ])('the default list refuses %s', (_name, endpoint, why) => {
    const problem = webPushEndpointProblem(new URL(endpoint), defaultAllowedPushHosts());
    expect(problem).toMatch(why);
    expect(problem).not.toContain('/x');
  });

  it('patterns: host, *.domain, host:port and an http:// prefix; an explicit port or scheme admits only that one', () => {
    const { hosts, problems } = parseAllowedPushHosts(['push.example', '*.push.example.org', 'http://127.0.0.1:8080', 'https://[::1]:8443'], false);
    expect(problems).toEqual([]);
    const ok = (endpoint: string) => webPushEndpointProblem(new URL(endpoint), hosts) === undefined;
    expect(ok('https://push.example/x')).toBe(true);
    expect(ok('https://a.b.push.example.org/x')).toBe(true);
    expect(ok('http://127.0.0.1:8080/push/x')).toBe(true);
    expect(ok('https://[::1]:8443/push/x')).toBe(true);
    expect(ok('https://127.0.0.1:8080/push/x')).toBe(false);
    expect(ok('http://127.0.0.1:8081/push/x')).toBe(false);
    expect(ok('http://127.0.0.1/push/x')).toBe(false);
    expect(ok('https://[::1]/push/x')).toBe(false);
    expect(ok('https://push.example:444/x')).toBe(false);
    expect(ok('https://push.example.org/x')).toBe(false);
  });

  it('refuses malformed patterns, and in production IP literals, ports and http', () => {
    for (const pattern of ['*', '*.com', '*.127.0.0.1', 'push.example/path', 'u@push.example', 'ex ample.com', 'a.*.example.com', '']) {
      expect(parseAllowedPushHost(pattern, false), pattern).toHaveProperty('error');
    }
    for (const pattern of ['http://push.example', '127.0.0.1', '[::1]', 'push.example:8443']) {
      expect(parseAllowedPushHost(pattern, true), pattern).toHaveProperty('error');
      expect(parseAllowedPushHost(pattern, false), pattern).not.toHaveProperty('error');
    }
    expect(parseAllowedPushHost('push.example:443', true)).toEqual({ protocol: 'https:', host: 'push.example', wildcard: false, port: '' });
  });

  it('config: WEB_PUSH_ALLOWED_HOSTS replaces the default list; bad entries stop startup; production refuses test allowances', () => {
    const base = { NODE_ENV: 'test' };
    expect(loadConfig(base).push.webPushAllowedHosts).toEqual(defaultAllowedPushHosts());
    expect(loadConfig({ ...base, WEB_PUSH_ALLOWED_HOSTS: ' ' }).push.webPushAllowedHosts).toEqual(defaultAllowedPushHosts());
    expect(loadConfig({ ...base, WEB_PUSH_ALLOWED_HOSTS: 'push.example, http://127.0.0.1:9' }).push.webPushAllowedHosts).toEqual([
      { protocol: 'https:', host: 'push.example', wildcard: false, port: '' },
      { protocol: 'http:', host: '127.0.0.1', wildcard: false, port: '9' },
    ]);
    expect(() => loadConfig({ ...base, WEB_PUSH_ALLOWED_HOSTS: '*.com' })).toThrow(/WEB_PUSH_ALLOWED_HOSTS entry "\*\.com"/);
    const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) };
    expect(loadConfig(production).push.webPushAllowedHosts).toEqual(defaultAllowedPushHosts());
    expect(() => loadConfig({ ...production, WEB_PUSH_ALLOWED_HOSTS: 'http://127.0.0.1:9' })).toThrow(/must not use http in production/);
  });
});
