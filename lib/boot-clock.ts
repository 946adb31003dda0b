// When each part of a daemon's boot was done, in ms from its line (a spare's, or a new process's
// once its code is loaded): the "ready" line says where a restart's time went, in every log, as
// each recovery's events say where its time went (pod/recover/timeline.ts).

const tenths = (ms: number) => Math.round(ms * 10) / 10;

export class BootClock {
  private readonly began = performance.now();
  private readonly cpu = process.cpuUsage();
  private readonly phases: Record<string, number> = {};

  /** work, its end noted as phase (a part that fails notes nothing). */
  time<T>(phase: string, work: Promise<T>): Promise<T> {
    return work.then((value) => {
      this.phases[phase] = tenths(performance.now() - this.began);
      return value;
    });
  }

  /** bootMs: from the line to now; cpuMs: this process's CPU meanwhile (every thread: CPU-bound when about bootMs); phases: when each was done. */
  summary(): { bootMs: number; cpuMs: number; phases: Record<string, number> } {
    const { user, system } = process.cpuUsage(this.cpu);
    return { bootMs: tenths(performance.now() - this.began), cpuMs: tenths((user + system) / 1000), phases: { ...this.phases } };
  }
}
