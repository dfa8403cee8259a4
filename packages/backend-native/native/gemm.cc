// Batched matrix multiply on OpenBLAS sgemm, every transpose combination, broadcast batch dims.
// out[b] = op(a[ai(b)]) · op(b[bi(b)]), row-major, where ai/bi map an output batch index to the
// operand's batch index (size-1 batch dims broadcast). Batches of small products (which OpenBLAS
// runs single-threaded anyway) are spread over the pool; large ones use OpenBLAS's own threads,
// except a single product whose k dwarfs m and n (a weight gradient, xᵀ·dy over B·tokens rows):
// that one is split along k over the pool, each part one single-threaded sgemm into its own
// partial [m, n], and the partials summed. OpenBLAS's threads split m and n and meet at a barrier
// after every k block; for k = 37888 and m·n = 96·384 (the I-JEPA predictor at B 256) that is ~150
// barriers for little work each, and the profile showed these calls at a tenth of the others'
// GFLOP/s on a loaded machine.
#include <cblas.h>

#include <algorithm>
#include <vector>

#include "kernels.h"
#include "pool.h"

namespace jnat {

BlasSingleThread::BlasSingleThread() : saved_(openblas_get_num_threads()) { openblas_set_num_threads(1); }
BlasSingleThread::~BlasSingleThread() { openblas_set_num_threads(saved_); }

static int64_t product(const Shape& s) {
  int64_t p = 1;
  for (int64_t d : s) p *= d;
  return p;
}

// Offset (in matrices) of output batch index `flat` in an operand of batch shape `opBatch`
// (same rank as outBatch, size-1 dims broadcast).
static int64_t batchOffset(int64_t flat, const Shape& outBatch, const Shape& opBatch) {
  int64_t off = 0, stride = 1;
  for (int64_t d = (int64_t)outBatch.size() - 1; d >= 0; --d) {
    int64_t idx = flat % outBatch[d];
    flat /= outBatch[d];
    if (opBatch[d] != 1) off += idx * stride;
    stride *= opBatch[d];
  }
  return off;
}

// A single product worth splitting along k: k at least 16× both m and n, every part at least 1024
// deep, and a partial [m, n] per thread small (at most 4 Mi floats).
static bool splitK(int64_t m, int64_t n, int64_t k) {
  const int parts = pool().size();
  return parts > 1 && k >= 16 * std::max(m, n) && k / parts >= 1024 && m * n <= (int64_t(1) << 22);
}

void batchMatMul(float* out, const float* a, const float* b, const Shape& outBatch, const Shape& aBatch,
                 const Shape& bBatch, int64_t m, int64_t n, int64_t k, bool transA, bool transB) {
  const int64_t batch = product(outBatch);
  if (batch == 0 || m == 0 || n == 0) return;
  if (k == 0) {
    for (int64_t i = 0; i < batch * m * n; ++i) out[i] = 0.f;
    return;
  }
  const CBLAS_TRANSPOSE ta = transA ? CblasTrans : CblasNoTrans;
  const CBLAS_TRANSPOSE tb = transB ? CblasTrans : CblasNoTrans;
  const int lda = transA ? (int)m : (int)k;
  const int ldb = transB ? (int)k : (int)n;
  const int64_t aBatchCount = product(aBatch), bBatchCount = product(bBatch);
  // A shared right operand and an untransposed left one: fold the batch into M (one big GEMM).
  if (bBatchCount == 1 && !transA && aBatchCount == batch) {
    cblas_sgemm(CblasRowMajor, ta, tb, (int)(batch * m), (int)n, (int)k, 1.f, a, lda, b, ldb, 0.f, out, (int)n);
    return;
  }
  if (batch == 1 && splitK(m, n, k)) {
    const int parts = pool().size();
    std::vector<float> partial((size_t)(parts - 1) * (size_t)(m * n));
    BlasSingleThread single;
    parallel_for(parts, int64_t(1) << 20, [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) {
        const int64_t k0 = k * p / parts, k1 = k * (p + 1) / parts;
        // A is [m, k] (or [k, m] transposed), B is [k, n] (or [n, k]): the k range is a column
        // block of a row-major [., k] operand and a row block of a [k, .] one.
        const float* ap = transA ? a + k0 * m : a + k0;
        const float* bp = transB ? b + k0 : b + k0 * n;
        float* dst = p == 0 ? out : partial.data() + (size_t)(p - 1) * (size_t)(m * n);
        cblas_sgemm(CblasRowMajor, ta, tb, (int)m, (int)n, (int)(k1 - k0), 1.f, ap, lda, bp, ldb, 0.f, dst, (int)n);
      }
    });
    const int64_t mn = m * n;
    parallel_for(mn, parts, [&](int64_t i0, int64_t i1) {
      for (int p = 1; p < parts; ++p) {
        const float* src = partial.data() + (size_t)(p - 1) * (size_t)mn;
        for (int64_t i = i0; i < i1; ++i) out[i] += src[i];
      }
    });
    return;
  }
  auto one = [&](int64_t i) {
    const float* ai = a + batchOffset(i, outBatch, aBatch) * m * k;
    const float* bi = b + batchOffset(i, outBatch, bBatch) * k * n;
    cblas_sgemm(CblasRowMajor, ta, tb, (int)m, (int)n, (int)k, 1.f, ai, lda, bi, ldb, 0.f, out + i * m * n, (int)n);
  };
  const double mnk = (double)m * (double)n * (double)k;
  if (batch >= pool().size() && pool().size() > 1 && mnk < 16777216.0) {
    // Many small products: run whole products side by side, each on one OpenBLAS thread.
    BlasSingleThread single;
    parallel_for(batch, (int64_t)(mnk / 8), [&](int64_t b0, int64_t b1) {
      for (int64_t i = b0; i < b1; ++i) one(i);
    });
  } else {
    for (int64_t i = 0; i < batch; ++i) one(i);
  }
}

}  // namespace jnat
