import { parseCaches } from './caches.env';

describe('CACHES', () => {
  it('parses several name=URL entries', () => {
    expect(parseCaches('CACHES', 'sessions=redis://127.0.0.1:6380/0, pages=rediss://:pw@cache.internal:6381/2')).toEqual([
      { name: 'sessions', url: 'redis://127.0.0.1:6380/0' },
      { name: 'pages', url: 'rediss://:pw@cache.internal:6381/2' },
    ]);
    expect(parseCaches('CACHES', undefined)).toEqual([]);
  });

  it('refuses a bad name, a non-Redis URL and a name given twice, never echoing a password', () => {
    expect(() => parseCaches('CACHES', 'Sessions=redis://h')).toThrow(/name of lowercase letters/);
    expect(() => parseCaches('CACHES', 'sessions')).toThrow(/name=redis:\/\/host/);
    expect(() => parseCaches('CACHES', 'a=http://h')).toThrow(/must start with redis:\/\/ or rediss:\/\//);
    expect(() => parseCaches('CACHES', 'a=redis://h/0,a=redis://h/1')).toThrow(/named twice/);
    let message = '';
    try {
      parseCaches('CACHES', 'a=redis//:hunter2@host');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/is not a URL/);
    expect(message).not.toContain('hunter2');
  });
});
