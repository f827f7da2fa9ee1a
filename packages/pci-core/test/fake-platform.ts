// A platform whose answers the test sets, for the rules that depend on firmware choices.
import type { PciDev, PciPlatform, PciPowerState } from '@vfio-ts/pci-core';

/** Every answer configurable; `setState` records its calls. */
export class FakePlatform implements PciPlatform {
  readonly name = 'fake';
  biosYear = 2020;
  manageable = new Set<PciDev>();
  choice: PciPowerState = 3;
  state: PciPowerState = 5;
  setStateRet = 0;
  wakeupRet = 0;
  bridgeD3Ret = false;
  gpe = new Set<PciDev>();
  readonly calls: string[] = [];

  addRootPort(): void {}
  addFunction(): void {}
  removeFunction(): void {}
  isManageable(dev: PciDev): boolean {
    return this.manageable.has(dev);
  }
  setState(dev: PciDev, state: PciPowerState): Promise<number> {
    this.calls.push(`set ${dev.bdf} ${state}`);
    if (!this.manageable.has(dev)) return Promise.resolve(-19);
    if (!this.setStateRet) this.state = state;
    return Promise.resolve(this.setStateRet);
  }
  getState(dev: PciDev): PciPowerState {
    return this.manageable.has(dev) ? this.state : 5;
  }
  refreshState(): void {}
  chooseState(): PciPowerState {
    return this.choice;
  }
  setWakeup(dev: PciDev, enable: boolean): number {
    this.calls.push(`wakeup ${dev.bdf} ${enable}`);
    return this.wakeupRet;
  }
  bridgeD3(): boolean {
    return this.bridgeD3Ret;
  }
  wakeGpe(dev: PciDev): boolean {
    return this.gpe.has(dev);
  }
}
