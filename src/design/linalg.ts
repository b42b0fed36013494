// Small dense complex linear algebra for per-frequency designs (N <= ~16 drivers): solves by
// Gaussian elimination with partial pivoting. Matrices are row-major arrays of Complex.
import { type Complex, cabs2, cadd, cconj, cdiv, cmul, csub } from './complex.ts';

export type CMatrix = Complex[][];
export type CVector = Complex[];

export const czero = (): Complex => ({ re: 0, im: 0 });

/** Solve A x = b. Throws on a singular matrix. A and b are not modified. */
export function solve(A: CMatrix, b: CVector): CVector {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (cabs2(M[r][col]) > cabs2(M[piv][col])) piv = r;
    if (cabs2(M[piv][col]) === 0) throw new Error('singular matrix');
    [M[col], M[piv]] = [M[piv], M[col]];
    for (let r = col + 1; r < n; r++) {
      const f = cdiv(M[r][col], M[col][col]);
      for (let c = col; c <= n; c++) M[r][c] = csub(M[r][c], cmul(f, M[col][c]));
    }
  }
  const x: CVector = new Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let c = r + 1; c < n; c++) s = csub(s, cmul(M[r][c], x[c]));
    x[r] = cdiv(s, M[r][r]);
  }
  return x;
}

/** a^H b */
export function dotH(a: CVector, b: CVector): Complex {
  let s = czero();
  for (let i = 0; i < a.length; i++) s = cadd(s, cmul(cconj(a[i]), b[i]));
  return s;
}

/** Sum of outer products conj(h) h^T over the vectors, divided by their count. */
export function meanOuterConj(hs: CVector[]): CMatrix {
  const n = hs[0].length;
  const A: CMatrix = Array.from({ length: n }, () => Array.from({ length: n }, czero));
  for (const h of hs) {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i][j] = cadd(A[i][j], cmul(cconj(h[i]), h[j]));
  }
  return A.map((row) => row.map((v) => ({ re: v.re / hs.length, im: v.im / hs.length })));
}
