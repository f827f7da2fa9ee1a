// Issue 10: the variant conformance harness. A conforming variant passes every case on either
// kind of root port; deliberately broken variants fail the cases that pin what they break.
import { describe, expect, it } from 'vitest';
import { runVariantConformance, VARIANT_CONFORMANCE_CASES } from '@vfio-ts/test-kit';
import { EBUSY, EPERM } from '@vfio-ts/kernel';
import { pmRuntimePutNoidle } from '@vfio-ts/runtime-pm';
import { VFIO } from '@vfio-ts/vfio-core';
import type { VfioPciCoreDevice } from '@vfio-ts/vfio-pci';
import { failed, messageOf, plainVariant } from './helpers.js';

describe('a conforming variant', () => {
  for (const d3cold of [true, false]) {
    it(`passes every case below a root port ${d3cold ? 'that can' : 'that cannot'} cut power`, async () => {
      const r = await runVariantConformance(plainVariant(), { d3cold });
      expect(r).toEqual({
        variant: 'test-vfio-pci',
        passed: true,
        results: VARIANT_CONFORMANCE_CASES.map((name) => ({ name, passed: true, message: 'ok' })),
      });
    });
  }

  it('passes with hostReentry false: the harness expects the engagement to end at a host wake', async () => {
    const r = await runVariantConformance(plainVariant('v', { hostReentry: () => false }));
    expect(failed(r)).toEqual([]);
  });

  it('passes on another model and module parameters', async () => {
    const nv = plainVariant('nv', { idTable: [{ vendor: 0x10de }] });
    const r = await runVariantConformance(nv, {
      config: 'nvidia-h100',
      machine: { seed: 7, vfioPci: { disable_idle_d3: true } },
    });
    expect(failed(r)).toEqual([]);
    expect(
      failed(
        await runVariantConformance(nv, {
          config: 'nvidia-h100',
          machine: { disable_idle_d3: true },
        }),
      ),
    ).toEqual([]);
  });
});

describe('teeth: broken variants fail the cases that pin what they break', () => {
  it('a beforeSuspend that always refuses fails every case', async () => {
    const r = await runVariantConformance(
      plainVariant('v', { beforeSuspend: () => Promise.resolve(-EBUSY) }),
    );
    expect(failed(r)).toEqual([...VARIANT_CONFORMANCE_CASES]);
    expect(messageOf(r, 'entry')).toBe(
      'LOW_POWER_ENTRY, settled: expected D3cold/suspended/0, got D0/active/0',
    );
  });

  it('a LOW_POWER_EXIT override that does nothing fails every case that exits', async () => {
    const noop = () => Promise.resolve(0);
    const r = await runVariantConformance(
      plainVariant('v', { features: new Map([[VFIO.DEVICE_FEATURE_LOW_POWER_EXIT, noop]]) }),
    );
    expect(failed(r)).toEqual(['entry', 'entry-with-wakeup', 'exit', 'host-wake', 'hot-reset']);
    expect(messageOf(r, 'exit')).toMatch(/^LOW_POWER_EXIT: expected D0\/active\/1, got /);
  });

  it('an afterResume that re-enters low power after a wake-up breaks the one-shot contract', async () => {
    // Remembers a suspend under a wake-up eventfd and re-engages after its resume.
    const armed = new WeakSet<VfioPciCoreDevice>();
    const r = await runVariantConformance(
      plainVariant('v', {
        beforeSuspend: (vdev) => {
          if (vdev.pmWakeEventfdCtx) armed.add(vdev);
          return Promise.resolve(0);
        },
        afterResume: (vdev) => {
          if (armed.delete(vdev) && !vdev.pmRuntimeEngaged && vdev.vdev.openCount > 0) {
            vdev.pmRuntimeEngaged = true;
            pmRuntimePutNoidle(vdev.pdev);
          }
          return Promise.resolve();
        },
      }),
    );
    expect(failed(r)).toEqual([
      'entry-with-wakeup',
      'host-wake',
      'close-while-engaged',
      'hot-reset',
    ]);
    // Re-engaging after the close's resume takes back a reference nobody holds.
    expect(messageOf(r, 'close-while-engaged')).toMatch(
      /^invariants: runtime PM usage count underflow/,
    );
    expect(messageOf(r, 'entry-with-wakeup')).toBe(
      'woken by an ioctl, settled: expected D0/active/1, got D3cold/suspended/0',
    );
  });

  it('a LOW_POWER_ENTRY override that refuses fails every case at its first entry', async () => {
    const refuse = () => Promise.resolve(-EPERM);
    const r = await runVariantConformance(
      plainVariant('v', { features: new Map([[VFIO.DEVICE_FEATURE_LOW_POWER_ENTRY, refuse]]) }),
      { cases: ['entry', 'exit'] },
    );
    expect(r.results.map((x) => x.message)).toEqual([
      `LOW_POWER_ENTRY returns: expected 0, got ${-EPERM}`,
      `LOW_POWER_ENTRY returns: expected 0, got ${-EPERM}`,
    ]);
  });

  it('a variant that drops the wake-up eventfd, or signals it early, fails on the counter', async () => {
    const drop = await runVariantConformance(
      plainVariant('v', {
        beforeSuspend: (vdev) => {
          vdev.pmWakeEventfdCtx?.put();
          vdev.pmWakeEventfdCtx = null;
          return Promise.resolve(0);
        },
      }),
      { cases: ['entry-with-wakeup'] },
    );
    expect(messageOf(drop, 'entry-with-wakeup')).toBe(
      'woken by an ioctl: eventfd expected 1, got not signalled',
    );
    const early = await runVariantConformance(
      plainVariant('v', {
        beforeSuspend: (vdev) => {
          vdev.pmWakeEventfdCtx?.signal(1);
          return Promise.resolve(0);
        },
      }),
      { cases: ['close-while-engaged'] },
    );
    expect(messageOf(early, 'close-while-engaged')).toBe(
      'closed while engaged: eventfd expected not signalled, got 1',
    );
  });

  it('a hostReentry answer the expectations contradict fails the cases with a host wake', async () => {
    const r = await runVariantConformance(plainVariant('v', { hostReentry: () => false }), {
      expect: { hostReentry: true },
    });
    expect(failed(r)).toEqual(['host-wake', 'hot-reset']);
    expect(messageOf(r, 'host-wake')).toBe(
      'host lspci after a plain entry (host re-entry), settled: expected D3cold/suspended/0, got D0/active/1',
    );
  });
});
