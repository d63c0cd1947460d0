import { RingBuffer } from './ring-buffer';

describe('RingBuffer', () => {
  it('keeps everything while under capacity', () => {
    const r = new RingBuffer(10);
    r.write('abc');
    r.write('def');
    expect(r.toString()).toBe('abcdef');
  });

  it('keeps the last bytes across wrap-around and says how much was dropped', () => {
    const r = new RingBuffer(8);
    for (const part of ['12345', '6789', 'ABCDE']) r.write(part);
    expect(r.toString()).toBe('[… 6 earlier bytes dropped]\n789ABCDE');
  });

  it('a single chunk larger than the capacity keeps its tail', () => {
    const r = new RingBuffer(4);
    r.write('x');
    r.write('0123456789');
    expect(r.toString()).toBe('[… 7 earlier bytes dropped]\n6789');
  });

  it('exactly full', () => {
    const r = new RingBuffer(4);
    r.write('ab');
    r.write('cd');
    expect(r.toString()).toBe('abcd');
    r.write('e');
    expect(r.toString()).toBe('[… 1 earlier bytes dropped]\nbcde');
  });
});
