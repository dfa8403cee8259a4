// Fused kernels for the hot patterns of a ViT training step, each with its backward kernel:
// layer norm over the last axis (biased variance, as PyTorch and tf.moments), exact GELU
// (0.5·x·(1+erf(x/√2)), PyTorch's default), scaled dot-product attention softmax(s·QKᵀ)V over
// [bh, n, dh] (the backward recomputes the probabilities instead of keeping them), and the
// AdamW and EMA parameter updates (out-of-place, so tfjs tensors stay immutable).
#include <cblas.h>

#include <cmath>
#include <limits>
#include <mutex>
#include <vector>

#include "fastmath.h"
#include "kernels.h"
#include "pool.h"

namespace jnat {

void layerNorm(float* y, const float* x, const float* gamma, const float* beta, int64_t rows, int64_t d, float eps) {
  parallel_for(rows, d * 3, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* xr = x + r * d;
      float* yr = y + r * d;
      float s = 0.f;
      for (int64_t i = 0; i < d; ++i) s += xr[i];
      const float mean = s / (float)d;
      float v = 0.f;
      for (int64_t i = 0; i < d; ++i) v += (xr[i] - mean) * (xr[i] - mean);
      const float rstd = 1.f / std::sqrt(v / (float)d + eps);
      for (int64_t i = 0; i < d; ++i) yr[i] = (xr[i] - mean) * rstd * gamma[i] + beta[i];
    }
  });
}

void layerNormGrad(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x, const float* gamma,
                   int64_t rows, int64_t d, float eps) {
  for (int64_t i = 0; i < d; ++i) dgamma[i] = dbeta[i] = 0.f;
  std::mutex mu;
  parallel_for(rows, d * 8, [&](int64_t r0, int64_t r1) {
    std::vector<float> dg(d, 0.f), db(d, 0.f), xhat(d);
    for (int64_t r = r0; r < r1; ++r) {
      const float* xr = x + r * d;
      const float* gr = dy + r * d;
      float s = 0.f;
      for (int64_t i = 0; i < d; ++i) s += xr[i];
      const float mean = s / (float)d;
      float v = 0.f;
      for (int64_t i = 0; i < d; ++i) v += (xr[i] - mean) * (xr[i] - mean);
      const float rstd = 1.f / std::sqrt(v / (float)d + eps);
      float sg = 0.f, sgx = 0.f;
      for (int64_t i = 0; i < d; ++i) {
        xhat[i] = (xr[i] - mean) * rstd;
        const float g = gr[i] * gamma[i];
        sg += g;
        sgx += g * xhat[i];
        dg[i] += gr[i] * xhat[i];
        db[i] += gr[i];
      }
      const float mg = sg / (float)d, mgx = sgx / (float)d;
      float* dxr = dx + r * d;
      for (int64_t i = 0; i < d; ++i) dxr[i] = rstd * (gr[i] * gamma[i] - mg - xhat[i] * mgx);
    }
    std::lock_guard<std::mutex> g(mu);
    for (int64_t i = 0; i < d; ++i) {
      dgamma[i] += dg[i];
      dbeta[i] += db[i];
    }
  });
}

static constexpr float kInvSqrt2 = 0.70710678118654752f;
static constexpr float kInvSqrt2Pi = 0.39894228040143268f;

void gelu(float* y, const float* x, int64_t n) {
  parallel_for(n, 8, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) y[i] = 0.5f * x[i] * (1.f + ferf(x[i] * kInvSqrt2));
  });
}

void geluGrad(float* dx, const float* dy, const float* x, int64_t n) {
  parallel_for(n, 12, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const float xi = x[i];
      const float cdf = 0.5f * (1.f + ferf(xi * kInvSqrt2));
      const float pdf = kInvSqrt2Pi * fexp(-0.5f * xi * xi);
      dx[i] = dy[i] * (cdf + xi * pdf);
    }
  });
}

static void softmaxRows(float* s, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    float* p = s + r * cols;
    float mx = -std::numeric_limits<float>::infinity();
    for (int64_t i = 0; i < cols; ++i) mx = p[i] > mx ? p[i] : mx;
    float sum = 0.f;
    for (int64_t i = 0; i < cols; ++i) {
      p[i] = fexp(p[i] - mx);
      sum += p[i];
    }
    const float inv = 1.f / sum;
    for (int64_t i = 0; i < cols; ++i) p[i] *= inv;
  }
}

// Runs f(h, scratch) for each head h in [0, bh): heads side by side on the pool (one OpenBLAS
// thread each) when there are enough of them, else one after another with OpenBLAS's threads.
template <typename F>
static void forHeads(int64_t bh, int64_t scratch, int64_t cost, F f) {
  if (bh >= pool().size() && pool().size() > 1) {
    BlasSingleThread single;
    parallel_for(bh, cost, [&](int64_t h0, int64_t h1) {
      std::vector<float> buf(scratch);
      for (int64_t h = h0; h < h1; ++h) f(h, buf.data());
    });
  } else {
    std::vector<float> buf(scratch);
    for (int64_t h = 0; h < bh; ++h) f(h, buf.data());
  }
}

void attention(float* o, const float* q, const float* k, const float* v, int64_t bh, int64_t nq, int64_t nk,
               int64_t dh, float scale) {
  const int NQ = (int)nq, NK = (int)nk, DH = (int)dh;
  forHeads(bh, nq * nk, nq * nk * dh, [&](int64_t h, float* s) {
    const float* qh = q + h * nq * dh;
    const float* kh = k + h * nk * dh;
    const float* vh = v + h * nk * dh;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, NQ, NK, DH, scale, qh, DH, kh, DH, 0.f, s, NK);
    softmaxRows(s, nq, nk);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, NQ, DH, NK, 1.f, s, NK, vh, DH, 0.f, o + h * nq * dh, DH);
  });
}

void attentionGrad(float* dq, float* dk, float* dv, const float* dout, const float* q, const float* k, const float* v,
                   int64_t bh, int64_t nq, int64_t nk, int64_t dh, float scale) {
  const int NQ = (int)nq, NK = (int)nk, DH = (int)dh;
  forHeads(bh, 2 * nq * nk, 5 * nq * nk * dh, [&](int64_t h, float* buf) {
    float* p = buf;
    float* dp = buf + nq * nk;
    const float* qh = q + h * nq * dh;
    const float* kh = k + h * nk * dh;
    const float* vh = v + h * nk * dh;
    const float* doh = dout + h * nq * dh;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, NQ, NK, DH, scale, qh, DH, kh, DH, 0.f, p, NK);
    softmaxRows(p, nq, nk);
    // dV = Pᵀ dO ; dP = dO Vᵀ
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, NK, DH, NQ, 1.f, p, NK, doh, DH, 0.f, dv + h * nk * dh, DH);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, NQ, NK, DH, 1.f, doh, DH, vh, DH, 0.f, dp, NK);
    // dS = s · P ∘ (dP − rowsum(dP ∘ P))
    for (int64_t r = 0; r < nq; ++r) {
      float* pr = p + r * nk;
      float* dpr = dp + r * nk;
      float dot = 0.f;
      for (int64_t i = 0; i < nk; ++i) dot += pr[i] * dpr[i];
      for (int64_t i = 0; i < nk; ++i) dpr[i] = scale * pr[i] * (dpr[i] - dot);
    }
    // dQ = dS K ; dK = dSᵀ Q
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, NQ, DH, NK, 1.f, dp, NK, kh, DH, 0.f, dq + h * nq * dh, DH);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, NK, DH, NQ, 1.f, dp, NK, qh, DH, 0.f, dk + h * nk * dh, DH);
  });
}

void adamw(float* pOut, float* mOut, float* vOut, const float* p, const float* g, const float* m, const float* v,
           int64_t n, float lr, float beta1, float beta2, float eps, float weightDecay, float bc1, float bc2) {
  const float decay = 1.f - lr * weightDecay;
  const float invBc1 = 1.f / bc1, invSqrtBc2 = 1.f / std::sqrt(bc2);
  parallel_for(n, 8, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const float gi = g[i];
      const float mi = beta1 * m[i] + (1.f - beta1) * gi;
      const float vi = beta2 * v[i] + (1.f - beta2) * gi * gi;
      mOut[i] = mi;
      vOut[i] = vi;
      pOut[i] = p[i] * decay - lr * (mi * invBc1) / (std::sqrt(vi) * invSqrtBc2 + eps);
    }
  });
}

void ema(float* out, const float* target, const float* online, int64_t n, float momentum) {
  const float rest = 1.f - momentum;
  parallel_for(n, 1, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) out[i] = momentum * target[i] + rest * online[i];
  });
}

}  // namespace jnat
