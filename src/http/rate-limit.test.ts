import { describe, expect, it } from 'vitest';
import { clientAddress } from './rate-limit.js';

describe('clientAddress', () => {
  it('keeps an IPv4 address, also when written as IPv4-mapped IPv6', () => {
    expect(clientAddress('203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddress('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('counts an IPv6 address by its /64, however it is written', () => {
    const network = '2001:db8:0:6::/64';
    for (const ip of ['2001:db8:0:6::1', '2001:0DB8:0000:0006:ffff:1:2:3', '2001:db8::6:0:0:0:9', '2001:db8:0:6::%eth0']) {
      expect(clientAddress(ip), ip).toBe(network);
    }
    expect(clientAddress('2001:db8:0:7::1')).toBe('2001:db8:0:7::/64');
    expect(clientAddress('::1')).toBe('0:0:0:0::/64');
    expect(clientAddress('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
  });
});
