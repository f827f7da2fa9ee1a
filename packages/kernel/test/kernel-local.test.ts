import { describe, expect, it } from 'vitest';
import { Kernel, KernelLocal } from '@vfio-ts/kernel';

describe('KernelLocal', () => {
  it('makes a module state once per kernel, on first use, and keeps kernels apart', () => {
    let made = 0;
    const counter = new KernelLocal((k) => ({ k, n: ++made }));
    const a = new Kernel();
    const b = new Kernel();
    expect(counter.peek(a)).toBeUndefined();
    const sa = counter.get(a);
    expect(sa).toEqual({ k: a, n: 1 });
    expect(counter.get(a)).toBe(sa);
    expect(counter.peek(a)).toBe(sa);
    expect(counter.peek(b)).toBeUndefined();
    expect(counter.get(b).n).toBe(2);
    expect(made).toBe(2);
  });

  it('two locals on one kernel hold different states', () => {
    const k = new Kernel();
    const x = new KernelLocal(() => 'x');
    const y = new KernelLocal(() => 'y');
    expect([x.get(k), y.get(k)]).toEqual(['x', 'y']);
  });
});
