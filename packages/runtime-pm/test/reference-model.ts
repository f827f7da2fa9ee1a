// A sequential reference model of runtime PM for the model-based test: no concurrency, no
// transitional states, no idle callbacks, no autosuspend; requests go to a FIFO "workqueue"
// drained by settle(). Written from KERNEL.md A.4–A.11 independently of the implementation.
import { EACCES, EAGAIN, EBUSY, EINVAL, EIO } from '@vfio-ts/kernel';

type Status = 'active' | 'suspended';

/** One device of the model. */
export interface MDev {
  readonly name: string;
  readonly parent: MDev | null;
  usage: number;
  kids: number;
  depth: number;
  status: Status;
  last: Status | 'invalid';
  error: number;
  auto: boolean;
  ignore: boolean;
  req: 'none' | 'suspend' | 'autosuspend' | 'resume';
  reqPending: boolean;
  /** Result of the next suspend / resume callback (then back to 0). */
  failSuspend: number;
  failResume: number;
}

/** The model: devices, the work FIFO, the callback log and the underflow count. */
export class Model {
  readonly devs: MDev[] = [];
  readonly calls: string[] = [];
  underflows = 0;
  private wq: MDev[] = [];

  add(name: string, parent: MDev | null): MDev {
    const d: MDev = {
      name,
      parent,
      usage: 0,
      kids: 0,
      depth: 1,
      status: 'suspended',
      last: 'invalid',
      error: 0,
      auto: true,
      ignore: false,
      req: 'none',
      reqPending: false,
      failSuspend: 0,
      failResume: 0,
    };
    this.devs.push(d);
    return d;
  }

  private check(d: MDev): number {
    if (d.error) return -EINVAL;
    if (d.depth > 0) return -EACCES;
    if (d.usage) return -EAGAIN;
    if (!d.ignore && d.kids) return -EBUSY;
    if (d.reqPending && d.req === 'resume') return -EAGAIN;
    return d.status === 'suspended' ? 1 : 0;
  }

  private queue(d: MDev, req: MDev['req']): void {
    d.req = req;
    if (!d.reqPending) {
      d.reqPending = true;
      this.wq.push(d);
    }
  }

  private drop(d: MDev): number {
    if (d.usage === 0) {
      this.underflows++;
      return -EINVAL;
    }
    return --d.usage;
  }

  idleAsync(d: MDev): number {
    const r = this.check(d);
    if (r < 0) return r;
    if (d.status !== 'active') return -EAGAIN;
    if (d.reqPending && d.req !== 'none') return -EAGAIN;
    d.req = 'none';
    return this.suspendAsync(d, 'autosuspend');
  }

  suspendAsync(d: MDev, req: 'suspend' | 'autosuspend'): number {
    const r = this.check(d);
    if (r !== 0) return r;
    this.queue(d, req);
    return 0;
  }

  idleSync(d: MDev): number {
    const r = this.check(d);
    if (r < 0) return r;
    if (d.status !== 'active') return -EAGAIN;
    if (d.reqPending && d.req !== 'none') return -EAGAIN;
    d.req = 'none';
    return this.suspendSync(d);
  }

  suspendSync(d: MDev): number {
    const r = this.check(d);
    if (r !== 0) return r;
    d.req = 'none';
    this.calls.push(`suspend:${d.name}`);
    const ret = d.failSuspend;
    d.failSuspend = 0;
    if (ret) {
      d.error = ret === -EAGAIN || ret === -EBUSY ? 0 : ret;
      return ret === -EACCES ? -EIO : ret;
    }
    d.status = 'suspended';
    const p = d.parent;
    if (p && p.kids > 0) p.kids--;
    if (p && !p.ignore) this.idleAsync(p);
    return 0;
  }

  resume(d: MDev, async: boolean): number {
    if (d.error) return -EINVAL;
    if (d.depth > 0) return d.status === 'active' && d.last === 'active' ? 1 : -EACCES;
    d.req = 'none';
    if (d.status === 'active') return 1;
    if (async) {
      this.queue(d, 'resume');
      return 0;
    }
    const p = d.parent;
    let ret = 0;
    if (p) {
      p.usage++;
      if (!p.depth && !p.ignore) {
        this.resume(p, false);
        if (p.status !== 'active') ret = -EBUSY;
      }
    }
    if (!ret) {
      this.calls.push(`resume:${d.name}`);
      ret = d.failResume;
      d.failResume = 0;
      if (ret) d.error = ret;
      else {
        d.status = 'active';
        if (p) p.kids++;
      }
      if (ret === -EACCES) ret = -EIO;
      if (ret >= 0) this.idleAsync(d);
    }
    if (p) this.putAsync(p);
    return ret;
  }

  getSync(d: MDev): number {
    d.usage++;
    return this.resume(d, false);
  }

  getAsync(d: MDev): number {
    d.usage++;
    return this.resume(d, true);
  }

  resumeAndGet(d: MDev): number {
    const r = this.getSync(d);
    if (r < 0) {
      this.putNoidle(d);
      return r;
    }
    return 0;
  }

  putAsync(d: MDev): number {
    const n = this.drop(d);
    return n !== 0 ? Math.min(n, 0) : this.idleAsync(d);
  }

  putSync(d: MDev): number {
    const n = this.drop(d);
    return n !== 0 ? Math.min(n, 0) : this.idleSync(d);
  }

  putSyncSuspend(d: MDev): number {
    const n = this.drop(d);
    return n !== 0 ? Math.min(n, 0) : this.suspendSync(d);
  }

  putNoidle(d: MDev): void {
    if (d.usage > 0) d.usage--;
  }

  allow(d: MDev): void {
    if (d.auto) return;
    d.auto = true;
    if (this.drop(d) === 0) this.idleAsync(d);
  }

  forbid(d: MDev): void {
    if (!d.auto) return;
    d.auto = false;
    d.usage++;
    this.resume(d, false);
  }

  enable(d: MDev): void {
    if (d.depth && --d.depth === 0) d.last = 'invalid';
  }

  disable(d: MDev): void {
    if (d.depth > 0) {
      d.depth++;
      return;
    }
    if (d.reqPending && d.req === 'resume') {
      d.usage++;
      this.resume(d, false);
      this.putNoidle(d);
    }
    d.depth++;
    if (d.reqPending) {
      d.req = 'none';
      this.wq = this.wq.filter((x) => x !== d);
      d.reqPending = false;
    }
    d.last = d.status;
  }

  setStatus(d: MDev, st: Status): number {
    if (!(d.error || d.depth)) return -EAGAIN;
    d.depth++;
    const p = d.parent;
    let notify = false;
    let err = 0;
    if (d.status !== st && p) {
      if (st === 'suspended') {
        if (p.kids > 0) p.kids--;
        notify = !p.ignore;
      } else if (!p.depth && !p.ignore && p.status !== 'active') err = -EBUSY;
      else if (d.status === 'suspended') p.kids++;
    }
    if (!err) {
      d.status = st;
      d.error = 0;
    }
    if (notify && p) this.idleAsync(p);
    this.enable(d);
    return err;
  }

  getIfInUse(d: MDev): number {
    if (d.depth > 0) return -EINVAL;
    if (d.status !== 'active') return 0;
    if (d.usage === 0) return 0;
    d.usage++;
    return 1;
  }

  /** Runs the queued work items in FIFO order until none is left. */
  settle(): void {
    for (let d = this.wq.shift(); d; d = this.wq.shift()) {
      if (!d.reqPending) continue;
      const req = d.req;
      d.req = 'none';
      d.reqPending = false;
      if (req === 'suspend' || req === 'autosuspend') this.suspendSync(d);
      else if (req === 'resume') this.resume(d, false);
    }
  }
}
