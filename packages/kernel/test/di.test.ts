import { describe, expect, it } from 'vitest';
import {
  KERNEL,
  Kernel,
  container,
  inject,
  injectable,
  type InjectionToken,
} from '@vfio-ts/kernel';

interface Greeter {
  greet(): string;
}
const GREETER: InjectionToken<Greeter> = Symbol('greeter');

@injectable()
class Clocked implements Greeter {
  constructor(@inject(KERNEL) private readonly k: Kernel) {}
  greet(): string {
    return `hello at ${this.k.clock.now()} ns`;
  }
}

@injectable()
class App {
  constructor(
    @inject(GREETER) readonly greeter: Greeter,
    @inject(KERNEL) readonly kernel: Kernel,
  ) {}
}

describe('dependency injection', () => {
  it('resolves a small class graph with explicit tokens under vitest', () => {
    const child = container.createChildContainer();
    const k = new Kernel();
    child.registerInstance<Kernel>(KERNEL, k);
    child.registerSingleton<Greeter>(GREETER, Clocked);
    const app = child.resolve(App);
    expect(app.kernel).toBe(k);
    expect(app.greeter.greet()).toBe('hello at 0 ns');
    expect(child.resolve<Greeter>(GREETER)).toBe(app.greeter);
  });

  it('keeps machines apart: each child container has its own kernel', () => {
    const a = container.createChildContainer();
    const b = container.createChildContainer();
    for (const c of [a, b]) {
      c.registerInstance<Kernel>(KERNEL, new Kernel());
      c.registerSingleton<Greeter>(GREETER, Clocked);
    }
    expect(a.resolve(App).kernel).not.toBe(b.resolve(App).kernel);
  });
});
