/* Noise suppressor glue (semantics: src/fixed/ns/suppressor.ts): the network's feature vector,
 * the post-filter and floor on its band gains. (The per-bin gain with the comb mix, binGainsQ15,
 * is fused into arrayc_ns_apply_band_gains in spectral.c.)
 * Round half up everywhere; >> of negative values is arithmetic (GCC). */
#define ARRAYC_NS_BANDS 34
#define ARRAYC_NS_LOG_ENERGY_CENTRE_Q8 (30 * 256)
#define ARRAYC_NS_PERIOD_CENTRE 384

static inline int16_t arrayc_ns_sat16(int32_t v)
{
    return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
}

static void arrayc_ns_features(const int16_t *logEnergyQ8, const int16_t *combCorrelationQ15, int periodSamples,
                               int pitchCorrelationQ15, int16_t *out)
{
    for (int b = 0; b < ARRAYC_NS_BANDS; b++) {
        out[b] = arrayc_ns_sat16(((int32_t)logEnergyQ8[b] - ARRAYC_NS_LOG_ENERGY_CENTRE_Q8) * 2);
        out[ARRAYC_NS_BANDS + b] = (int16_t)(((int32_t)combCorrelationQ15[b] + 4) >> 3);
    }
    const int voiced = periodSamples > 0;
    out[2 * ARRAYC_NS_BANDS] = (int16_t)(voiced ? (pitchCorrelationQ15 + 4) >> 3 : 0);
    out[2 * ARRAYC_NS_BANDS + 1] = (int16_t)(voiced ? (periodSamples - ARRAYC_NS_PERIOD_CENTRE) * 8 : 0);
}

static void arrayc_ns_shape_band_gains(int16_t *gainsQ15, const int16_t *table, int postFilter, int gainFloorQ15)
{
    for (int b = 0; b < ARRAYC_NS_BANDS; b++) {
        int32_t g = gainsQ15[b];
        if (postFilter) {
            const int32_t i = g >> 7;
            const int32_t s = table[i] + ((((int32_t)table[i + 1] - table[i]) * (g & 127) + 64) >> 7);
            g = (g * s + 16384) >> 15;
        }
        gainsQ15[b] = (int16_t)(g < gainFloorQ15 ? gainFloorQ15 : g);
    }
}
