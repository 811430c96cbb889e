import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  addressPolicy,
  checkAddress,
  classifyAddress,
  normalizeAddress,
} from '../../src/core/network/address-policy.js';

const strict = addressPolicy({ allowPrivate: false });

/** Every spelling of an IPv4 address a resolver, a URL or a proxy request can carry. */
function spellings(octets: number[]): string[] {
  const [a, b, c, d] = octets as [number, number, number, number];
  const dotted = `${a}.${b}.${c}.${d}`;
  const value = ((a * 256 + b) * 256 + c) * 256 + d;
  const high = (a * 256 + b).toString(16);
  const low = (c * 256 + d).toString(16);
  return [
    dotted,
    `${dotted}.`,
    String(value),
    `0x${value.toString(16)}`,
    `${a}.${b * 65536 + c * 256 + d}`,
    `${a}.${b}.${c * 256 + d}`,
    octets.map((octet) => `0x${octet.toString(16)}`).join('.'),
    octets.map((octet) => `0${octet.toString(8)}`).join('.'),
    `::ffff:${dotted}`,
    `[::ffff:${dotted}]`,
    `::FFFF:${high.toUpperCase()}:${low.toUpperCase()}`,
    `0:0:0:0:0:ffff:${high}:${low}`,
    `0000:0000:0000:0000:0000:FFFF:${dotted}`,
    `::ffff:0:${dotted}`,
    `64:ff9b::${high}:${low}`,
    `2002:${high}:${low}::1`,
    `::ffff:${dotted}%eth0`,
  ];
}

const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet);

describe('address policy', () => {
  it('classifies the documented ranges', () => {
    const cases: Array<[string, string | undefined]> = [
      ['127.0.0.1', 'loopback'],
      ['::1', 'loopback'],
      ['10.1.2.3', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.0.1', 'private'],
      ['fd12:3456::1', 'private'],
      ['169.254.1.1', 'link-local'],
      ['fe80::1%eth0', 'link-local'],
      ['100.64.0.1', 'cgnat'],
      ['169.254.169.254', 'metadata'],
      ['fd00:ec2::254', 'metadata'],
      ['0.0.0.0', 'unspecified'],
      ['::', 'unspecified'],
      ['224.0.0.1', 'multicast'],
      ['ff02::1', 'multicast'],
      ['240.0.0.1', 'reserved'],
      ['255.255.255.255', 'reserved'],
      ['198.18.0.1', 'reserved'],
      ['1.1.1.1', undefined],
      ['2606:4700::1111', undefined],
      ['172.32.0.1', undefined],
      ['203.0.113.7', undefined], // documentation range: tests use it as a public stand-in
      ['not-an-ip', 'reserved'],
    ];
    for (const [ip, category] of cases) assert.equal(classifyAddress(ip), category, ip);
  });

  it('refuses [::ffff:127.0.0.1], ::ffff:7f00:1 and the other spellings of loopback and metadata', () => {
    for (const ip of [
      '[::ffff:127.0.0.1]',
      '::ffff:7f00:1',
      '127.1',
      '0x7f000001',
      '2130706433',
      '127.0.0.1.',
    ]) {
      const verdict = checkAddress(ip, strict);
      assert.equal(verdict.allowed, false, ip);
      assert.match(!verdict.allowed ? verdict.reason : '', /loopback address, which is blocked/);
    }
    assert.equal(checkAddress('::ffff:a9fe:a9fe', strict).allowed, false);
    assert.equal(
      checkAddress('::ffff:c000:202', addressPolicy({ allowPrivate: false, hostAddresses: ['192.0.2.2'] }))
        .allowed,
      false,
    );
  });

  it('classifies every spelling of an IPv4 address as that address (property)', () => {
    fc.assert(
      fc.property(ipv4, (octets) => {
        const canonical = octets.join('.');
        const expected = classifyAddress(canonical);
        for (const spelling of spellings(octets)) {
          // 6to4 only carries global addresses meaningfully; it is still classified by what it carries.
          assert.equal(normalizeAddress(spelling)?.address, canonical, spelling);
          assert.equal(classifyAddress(spelling), expected, spelling);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("refuses the host's own addresses in every spelling (property)", () => {
    fc.assert(
      fc.property(ipv4, ipv4, (hostOctets, otherOctets) => {
        const host = hostOctets.join('.');
        const policy = addressPolicy({ allowPrivate: false, hostAddresses: [host] });
        for (const spelling of spellings(hostOctets))
          assert.equal(checkAddress(spelling, policy).allowed, false, spelling);
        const other = otherOctets.join('.');
        if (other !== host && classifyAddress(other) === undefined)
          assert.equal(checkAddress(other, policy).allowed, true, other);
      }),
      { numRuns: 300 },
    );
  });

  it('canonicalizes IPv6 as the URL parser does (property)', () => {
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const normalized = normalizeAddress(ip);
        assert.ok(normalized, ip);
        if (normalized.family === 'ipv6')
          assert.equal(`[${normalized.address}]`, new URL(`http://[${ip}]/`).hostname);
        assert.deepEqual(normalizeAddress(normalized.address), normalized);
        assert.deepEqual(normalizeAddress(ip.toUpperCase()), normalized);
      }),
      { numRuns: 500 },
    );
  });

  it('lets the operator allow private ranges, but not cloud metadata unless listed', () => {
    const open = addressPolicy({ allowPrivate: true });
    assert.equal(checkAddress('10.0.0.1', open).allowed, true);
    assert.equal(checkAddress('::ffff:127.0.0.1', open).allowed, true);
    assert.equal(checkAddress('169.254.169.254', open).allowed, false);
    const listed = addressPolicy({
      allowPrivate: false,
      allowedPrivateHosts: ['10.1.0.0/16', 'fd00::/8', '127.0.0.1', 'MCP.Internal.', '169.254.169.254'],
    });
    assert.equal(checkAddress('10.1.200.3', listed).allowed, true);
    assert.equal(checkAddress('::ffff:10.1.0.9', listed).allowed, true);
    assert.equal(checkAddress('10.2.0.1', listed).allowed, false);
    assert.equal(checkAddress('fd00::5', listed).allowed, true);
    assert.equal(checkAddress('[::ffff:7f00:1]', listed).allowed, true);
    assert.equal(checkAddress('127.0.0.2', listed).allowed, false);
    assert.equal(checkAddress('192.168.1.1', listed, 'mcp.internal').allowed, true);
    assert.equal(checkAddress('192.168.1.1', listed, 'other.internal').allowed, false);
    assert.equal(checkAddress('169.254.169.254', listed).allowed, true);
    assert.throws(() => addressPolicy({ allowPrivate: false, allowedPrivateHosts: ['10.0.0.0/33'] }), /CIDR/);
  });

  it('refuses what is not an address', () => {
    for (const junk of ['', 'example.com', '1.2.3.4.5', '256.0.0.1', '08.0.0.1', '::g', '1::2::3']) {
      const verdict = checkAddress(junk, addressPolicy({ allowPrivate: true }));
      assert.equal(verdict.allowed, false, junk);
    }
  });
});
