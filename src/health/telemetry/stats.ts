/**
 * Standard normal CDF, Φ(x), by the complementary error function of Numerical Recipes
 * (erfc by Chebyshev fitting, fractional error < 1.2e-7 everywhere): enough for p-values
 * compared with thresholds such as 0.01.
 */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

export interface ProportionTest {
  /** (p1 − p0) ÷ the pooled standard error. */
  z: number;
  /** One-sided: the chance of a rise at least this large if both had the same ratio. */
  pValue: number;
}

/**
 * Two-proportion z-test with the pooled proportion, one-sided (is `errors1/n1` above
 * `errors0/n0`?). Both equal to 0 or to 1 has no variance: z = 0, p = 0.5.
 */
export function twoProportionTest(errors1: number, n1: number, errors0: number, n0: number): ProportionTest {
  const p1 = errors1 / n1;
  const p0 = errors0 / n0;
  const pooled = (errors1 + errors0) / (n1 + n0);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0));
  if (!(se > 0)) return { z: 0, pValue: 0.5 };
  const z = (p1 - p0) / se;
  return { z, pValue: 1 - normalCdf(z) };
}
