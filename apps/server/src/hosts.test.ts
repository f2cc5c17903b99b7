// Which Host headers the server answers to: loopback names and IP addresses always, configured
// names (and whole domains), the allowed origins' hosts; never a name it was not given.
import { expect, it } from 'vitest';
import { HostPolicy } from './hosts.ts';

it('allows loopback names and IP addresses, and nothing else by default', () => {
  const hosts = new HostPolicy({ allowedHosts: [], allowedOrigins: [] });
  for (const host of [
    'localhost:3000',
    'LOCALHOST',
    'app.localhost:3000',
    '127.0.0.1:3000',
    '127.8.9.10',
    '[::1]:3000',
    '192.168.1.20:3000',
    '[fe80::1]',
    undefined,
  ]) {
    expect(hosts.allows(host), String(host)).toBe(true);
  }
  for (const host of [
    'attacker.example:3000',
    'attacker.example',
    'localhost.attacker.example',
    '127.0.0.1.nip.io',
    '',
    'a b',
    'evil.example/x',
    'user@127.0.0.1',
  ]) {
    expect(hosts.allows(host), host).toBe(false);
  }
});

it('allows configured names, whole domains with a leading dot, and allowed origins’ hosts', () => {
  const hosts = new HostPolicy({
    allowedHosts: ['querylane.example.com', '.corp.example'],
    allowedOrigins: ['https://app.example.org', '*'],
  });
  for (const host of [
    'querylane.example.com',
    'QueryLane.Example.com:443',
    'corp.example',
    'data.corp.example:3000',
    'app.example.org',
  ]) {
    expect(hosts.allows(host), host).toBe(true);
  }
  for (const host of ['example.com', 'xcorp.example', 'evil.example.org', 'attacker.example']) {
    expect(hosts.allows(host), host).toBe(false);
  }
  expect(new HostPolicy({ allowedHosts: ['*'], allowedOrigins: [] }).allows('any.example')).toBe(
    true,
  );
});
