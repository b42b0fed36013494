// filters.json: the designed filter bank in the brief's export contract, so any other tool can
// check or reuse it. Impulse responses are float64 at sampleRate, include all delays, at most
// 16384 taps; positions in metres in the listener frame.
import type { SpatialDesign } from '../design/spatial.ts';
import { MAX_EXPORT_TAPS, channelImpulseResponses, ctcImpulseResponses, trimTail } from '../design/spatial.ts';
import { INT32_MAX } from '../fixed/arith.ts';
import type { FixedProgram } from '../fixed/program.ts';
import { runProgram } from '../fixed/reference.ts';

export interface FiltersJson {
  name: string;
  sampleRate: number;
  drivers: { id: string; position: [number, number, number] }[];
  listener: { position: [number, number, number] };
  cancellationTargetDb: [number, number][];
  beam?: { bandHz: [number, number] };
  ctc: Record<'L' | 'R', Record<string, number[]>>;
  channels: Record<string, Record<string, number[]>>;
  quantized: { channels: Record<string, Record<string, number[]>> };
}

/**
 * Whole-path impulse responses of the fixed-point program, per input channel and output: a
 * full-scale impulse through the bit-exact reference, divided by its amplitude and by each
 * output's headroom scale so it compares directly with the float design.
 */
export function quantizedImpulseResponses(program: FixedProgram, length = MAX_EXPORT_TAPS): Record<string, Record<string, number[]>> {
  const out: Record<string, Record<string, number[]>> = {};
  program.inputs.forEach((ch, i) => {
    const inputs = program.inputs.map((_, k) => {
      const x = new Int32Array(length);
      if (k === i) x[0] = INT32_MAX;
      return x;
    });
    const { outputs } = runProgram(program, inputs);
    out[ch] = Object.fromEntries(program.outputs.map((o, k) => [o.name, trimTail(Float64Array.from(outputs[k], (v) => v / (INT32_MAX * o.scale)))]));
  });
  return out;
}

/** Float64 values survive JSON exactly; round to 17 significant digits is what JSON does already. */
export function filtersJson(d: SpatialDesign, program: FixedProgram): FiltersJson {
  const g = d.geometry;
  return {
    name: g.name,
    sampleRate: g.sampleRate,
    drivers: g.drivers.map((dr) => ({ id: dr.id, position: dr.positionM })),
    listener: { position: g.listener.positionM },
    cancellationTargetDb: g.cancellationTargetDb,
    ...(g.beam ? { beam: { bandHz: g.beam.bandHz } } : {}),
    ctc: ctcImpulseResponses(d),
    channels: channelImpulseResponses(d.graph),
    quantized: { channels: quantizedImpulseResponses(program) },
  };
}

/** Signal-to-error ratio (dB) of the quantized channels against the float channels, worst path. */
export interface PathSnr {
  channel: string;
  driver: string;
  /** Both the float and the quantized path are all zeros. */
  silent: boolean;
  snrDb: number;
}

export function quantizedSnrDb(f: Pick<FiltersJson, 'channels' | 'quantized'>): { worstDb: number; perPath: PathSnr[] } {
  const perPath: PathSnr[] = [];
  for (const [ch, drivers] of Object.entries(f.channels)) {
    for (const [id, h] of Object.entries(drivers)) {
      const q = f.quantized.channels[ch]?.[id] ?? [];
      let sig = 0, err = 0;
      const n = Math.max(h.length, q.length);
      for (let i = 0; i < n; i++) {
        const a = h[i] ?? 0, b = q[i] ?? 0;
        sig += a * a;
        err += (a - b) ** 2;
      }
      // A path that is silent in both is exact.
      perPath.push({ channel: ch, driver: id, silent: sig === 0 && err === 0, snrDb: err === 0 ? Infinity : 10 * Math.log10(sig / err) });
    }
  }
  return { worstDb: Math.min(...perPath.map((p) => p.snrDb)), perPath };
}
