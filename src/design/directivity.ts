// Driver directivity: a rigid circular piston in a baffle.

/** Bessel function of the first kind, order 1: power series below 25, Hankel asymptotics above. */
export function besselJ1(x: number): number {
  const ax = Math.abs(x);
  if (ax < 25) {
    // sum_k (-1)^k (x/2)^(2k+1) / (k! (k+1)!)
    const h = x / 2;
    let term = h;
    let sum = h;
    for (let k = 1; k < 200; k++) {
      term *= (-h * h) / (k * (k + 1));
      sum += term;
      if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
    }
    return sum;
  }
  // Large argument: J1(x) ~ sqrt(2/(pi x)) (P cos(chi) - Q sin(chi)), chi = x - 3pi/4.
  const mu = 4;
  const z = 8 * ax;
  const p = 1 - ((mu - 1) * (mu - 9)) / (2 * z * z) + ((mu - 1) * (mu - 9) * (mu - 25) * (mu - 49)) / (24 * z ** 4);
  const q = (mu - 1) / z - ((mu - 1) * (mu - 9) * (mu - 25)) / (6 * z ** 3);
  const chi = ax - (3 * Math.PI) / 4;
  const v = Math.sqrt(2 / (Math.PI * ax)) * (p * Math.cos(chi) - q * Math.sin(chi));
  return x < 0 ? -v : v;
}

/**
 * Magnitude directivity of a baffled circular piston of radius a at angle theta off axis:
 * 2 J1(ka sin theta) / (ka sin theta) in the front half-space. Behind the baffle (theta > 90
 * degrees) the value at 90 degrees is continued with an enclosure-shadow factor that is 1 while
 * the piston is small against the wavelength (the box radiates all round) and falls toward the
 * rear as ka grows: 1/(1+(ka)^2) + (ka)^2/(1+(ka)^2) * (1 + cos theta).
 */
export function pistonDirectivity(radiusM: number, offAxisRad: number, freqHz: number, speedOfSoundMps: number): number {
  const ka = (2 * Math.PI * freqHz * radiusM) / speedOfSoundMps;
  const front = (theta: number) => {
    const x = ka * Math.sin(theta);
    return Math.abs(x) < 1e-8 ? 1 : (2 * besselJ1(x)) / x;
  };
  if (offAxisRad <= Math.PI / 2) return front(offAxisRad);
  const k2 = ka * ka;
  const shadow = 1 / (1 + k2) + (k2 / (1 + k2)) * (1 + Math.cos(offAxisRad));
  return front(Math.PI / 2) * shadow;
}
