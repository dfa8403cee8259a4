// Declarations of the native kernels (plain C++ on raw pointers, no Node-API types). Every kernel
// writes only into `out`, which never aliases a different-shaped input; inputs are read-only.
#pragma once
#include <cstdint>
#include <vector>

namespace jnat {

using Shape = std::vector<int64_t>;

// ---- gemm.cc
// While alive, OpenBLAS runs each call on the calling thread only (for kernels that run many
// small products side by side on the pool). Construct and destroy on the JS thread.
class BlasSingleThread {
 public:
  BlasSingleThread();
  ~BlasSingleThread();
  BlasSingleThread(const BlasSingleThread&) = delete;
  BlasSingleThread& operator=(const BlasSingleThread&) = delete;

 private:
  int saved_;
};
void batchMatMul(float* out, const float* a, const float* b, const Shape& outBatch, const Shape& aBatch,
                 const Shape& bBatch, int64_t m, int64_t n, int64_t k, bool transA, bool transB);

// ---- elementwise.cc
enum BinaryOp : int { kAdd = 0, kSub, kMul, kDiv, kMax, kMin, kSqDiff, kPow, kPrelu, kAtan2 };
void binary(int op, float* out, const float* a, const float* b, const Shape& outShape, const Shape& aStrides,
            const Shape& bStrides);
enum UnaryOp : int {
  kExp = 0, kLog, kTanh, kErf, kRsqrt, kSqrt, kSquare, kNeg, kRelu, kAbs, kSigmoid, kReciprocal,
  kLog1p, kExpm1, kSin, kCos, kRelu6, kStep, kSign, kFloor, kCeil, kRound, kSoftplus, kElu, kSelu,
  kLeakyRelu, kIsNan, kLinear
};
void unary(int op, float* out, const float* a, int64_t n, float alpha);

// ---- layout.cc
void transpose(float* out, const float* a, const Shape& shape, const Shape& perm);
enum ReduceOp : int { kSum = 0, kMean, kMaxR, kMinR, kProd };
// Reduces a tensor viewed as [outer, red, inner] over the middle axis.
void reduce(int op, float* out, const float* a, int64_t outer, int64_t red, int64_t inner);
void softmax(float* out, const float* logits, int64_t rows, int64_t cols);
void logSoftmax(float* out, const float* logits, int64_t rows, int64_t cols);
// Gathers rows along the middle axis of x viewed as [outer, axisDim, inner]; out [outer, nIdx, inner].
// Returns the first out-of-range index position or -1.
int64_t gather(float* out, const float* x, const int32_t* idx, int64_t nIdx, int64_t outer, int64_t axisDim,
               int64_t inner);
void unsortedSegmentSum(float* out, const float* x, const int32_t* ids, int64_t n, int64_t inner,
                        int64_t numSegments);
// Copies a strided slice: out has `size`, the source `shape`, starting at `begin`.
void slice(float* out, const float* a, const Shape& shape, const Shape& begin, const Shape& size);

// ---- fused.cc
void layerNorm(float* y, const float* x, const float* gamma, const float* beta, int64_t rows, int64_t d, float eps);
void layerNormGrad(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x, const float* gamma,
                   int64_t rows, int64_t d, float eps);
void gelu(float* y, const float* x, int64_t n);
void geluGrad(float* dx, const float* dy, const float* x, int64_t n);
// q, k, v, o: [bh, n, dh] (contiguous); p: scratch [bh, n, n] or nullptr.
void attention(float* o, const float* q, const float* k, const float* v, int64_t bh, int64_t nq, int64_t nk,
               int64_t dh, float scale);
void attentionGrad(float* dq, float* dk, float* dv, const float* dout, const float* q, const float* k, const float* v,
                   int64_t bh, int64_t nq, int64_t nk, int64_t dh, float scale);
void adamw(float* pOut, float* mOut, float* vOut, const float* p, const float* g, const float* m, const float* v,
           int64_t n, float lr, float beta1, float beta2, float eps, float weightDecay, float bc1, float bc2);
void ema(float* out, const float* target, const float* online, int64_t n, float momentum);

}  // namespace jnat
