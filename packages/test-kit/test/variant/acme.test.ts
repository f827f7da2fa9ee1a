// Issue 10: the example variant (packages/vfio-pci/examples/acme-vfio-pci.ts) does what its
// TSDoc says — binds by id table, refuses D3cold, counts resumes behind a vendor feature,
// undoes init at unbind — and passes the conformance harness once told to expect D3hot.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  formatVariantConformanceReport,
  runVariantConformance,
  VARIANT_CONFORMANCE_CASES,
  type UserProcess,
} from '@vfio-ts/test-kit';
import { EINVAL } from '@vfio-ts/kernel';
import { VFIO } from '@vfio-ts/vfio-core';
import { BDF, counter, ENTRY, EXIT, feature, machines, pm, SET, wakeup } from '../pm/helpers.js';
import { loadAcme, type AcmeModule } from './example.js';
import { driverOf, withVariants } from './helpers.js';

const boot = machines();
const GET = VFIO.DEVICE_FEATURE_GET;
let acme: AcmeModule;
beforeAll(async () => {
  acme = await loadAcme();
});

/** The ACME_FEATURE_RESUME_COUNT value, or the ioctl's -errno. */
async function resumeCount(p: UserProcess, fd: number): Promise<number> {
  const buf = feature(
    acme.ACME_FEATURE_RESUME_COUNT,
    GET,
    new Uint8Array(acme.ACME_RESUME_COUNT_SIZE),
  );
  const rc = await p.ioctl(fd, VFIO.DEVICE_FEATURE, buf);
  return rc < 0 ? rc : Number(new DataView(buf.buffer).getBigUint64(8, true));
}

describe('the Acme example variant', () => {
  it('binds the e1000e by its id table and keeps the unused device out of D3cold', async () => {
    const m = await boot(withVariants([acme.AcmeVfioPci]));
    expect(driverOf(m)).toBe('acme-vfio-pci');
    expect(pm(m)).toEqual(['D3hot', 'suspended', '0']);
  });

  it('goes to D3hot, not D3cold, on LOW_POWER_ENTRY below a root port that can cut power', async () => {
    const m = await boot(withVariants([acme.AcmeVfioPci]));
    const p = m.process();
    const fd = await p.openDevice(BDF);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(ENTRY))).toBe(0);
    await m.settle();
    expect(pm(m)).toEqual(['D3hot', 'suspended', '0']);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(EXIT))).toBe(0);
    await p.close(fd);
  });

  it('reports its runtime resumes through ACME_FEATURE_RESUME_COUNT (GET only; PROBE answers 0)', async () => {
    const m = await boot(withVariants([acme.AcmeVfioPci]));
    const p = m.process();
    const fd = await p.openDevice(BDF);
    // The first open resumed it once.
    expect(await resumeCount(p, fd)).toBe(1);
    const efd = await p.eventfd(0, { nonblock: true });
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, wakeup(efd))).toBe(0);
    await m.settle();
    // The GET's own ioctl wakes the device (C.1): counted, and the eventfd fires.
    expect(await resumeCount(p, fd)).toBe(2);
    expect(await counter(p, efd)).toBe(1);
    const id = acme.ACME_FEATURE_RESUME_COUNT;
    expect(
      await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(id, VFIO.DEVICE_FEATURE_PROBE | GET)),
    ).toBe(0);
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(id, SET, new Uint8Array(8)))).toBe(
      -EINVAL,
    );
    expect(await p.ioctl(fd, VFIO.DEVICE_FEATURE, feature(id, GET, new Uint8Array(4)))).toBe(
      -EINVAL,
    );
    await p.close(fd);
  });

  it('undoes init at unbind: bound to vfio-pci instead, the function may use D3cold again', async () => {
    const m = await boot(withVariants([acme.AcmeVfioPci]));
    expect(await m.sysfs.write('/sys/bus/pci/drivers/acme-vfio-pci/unbind', BDF)).toBe(BDF.length);
    expect(await m.sysfs.write(`/sys/bus/pci/devices/${BDF}/driver_override`, 'vfio-pci')).toBe(8);
    expect(await m.sysfs.write('/sys/bus/pci/drivers/vfio-pci/bind', BDF)).toBe(BDF.length);
    await m.settle();
    expect(pm(m)).toEqual(['D3cold', 'suspended', '0']);
  });

  it('passes every standard conformance case, expecting D3hot', async () => {
    const report = await runVariantConformance(acme.AcmeVfioPci, {
      config: 'e1000e',
      d3cold: true,
      expect: { lowPowerState: 'D3hot' },
    });
    expect(formatVariantConformanceReport(report)).toBe(
      [
        'acme-vfio-pci: 6/6 conformance cases passed',
        ...VARIANT_CONFORMANCE_CASES.map((c) => `  PASS  ${c}`),
      ].join('\n'),
    );
  });

  it('fails every case that suspends when the harness expects the core D3cold', async () => {
    const report = await runVariantConformance(acme.AcmeVfioPci);
    expect(report.passed).toBe(false);
    expect(report.results.find((r) => r.name === 'entry')?.message).toBe(
      'LOW_POWER_ENTRY, settled: expected D3cold/suspended/0, got D3hot/suspended/0',
    );
  });
});
