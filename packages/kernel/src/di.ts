// Dependency injection: tsyringe with reflect-metadata, imported once here, first, so every
// layer above gets the same container implementation. Every seam is a symbol token injected
// with an explicit @inject(TOKEN); nothing relies on emitted type metadata.
import 'reflect-metadata';
import type { InjectionToken } from 'tsyringe';
import type { Kernel } from './kernel.js';

export { container, inject, injectAll, injectable, singleton, Lifecycle } from 'tsyringe';
export type { DependencyContainer, InjectionToken } from 'tsyringe';

/** The machine's kernel (clock, scheduler, lockdep, trace bus). */
export const KERNEL: InjectionToken<Kernel> = Symbol('vfio-ts:kernel');
