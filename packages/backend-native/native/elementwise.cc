// Elementwise kernels. Binary ops broadcast by strides: the caller passes the output shape and
// each operand's element strides over it (0 on broadcast dims). Dims are dropped when size 1 and
// merged when both operands are contiguous (or both broadcast) across them, so the common cases
// ([B,N,D] ⊕ [D], same-shape, scalar) become one long inner loop the compiler vectorizes.
#include <cmath>
#include <cstring>

#include "fastmath.h"
#include "kernels.h"
#include "pool.h"

namespace jnat {

namespace {

template <int Op>
inline float bin(float x, float y) {
  if constexpr (Op == kAdd) return x + y;
  if constexpr (Op == kSub) return x - y;
  if constexpr (Op == kMul) return x * y;
  if constexpr (Op == kDiv) return x / y;
  if constexpr (Op == kMax) return (x != x || y != y) ? NAN : (x > y ? x : y);
  if constexpr (Op == kMin) return (x != x || y != y) ? NAN : (x < y ? x : y);
  if constexpr (Op == kSqDiff) return (x - y) * (x - y);
  if constexpr (Op == kPow) return std::pow(x, y);
  if constexpr (Op == kPrelu) return x < 0.f ? x * y : x;
  if constexpr (Op == kAtan2) return std::atan2(x, y);
  return 0.f;
}

template <int Op>
void row(float* o, const float* a, const float* b, int64_t n, int64_t sa, int64_t sb) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i) o[i] = bin<Op>(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    const float y = b[0];
    if constexpr (Op == kPow) {
      if (y == 2.f) { for (int64_t i = 0; i < n; ++i) o[i] = a[i] * a[i]; return; }
      if (y == 3.f) { for (int64_t i = 0; i < n; ++i) o[i] = a[i] * a[i] * a[i]; return; }
      if (y == 0.5f) { for (int64_t i = 0; i < n; ++i) o[i] = std::sqrt(a[i]); return; }
      if (y == 1.f) { for (int64_t i = 0; i < n; ++i) o[i] = a[i]; return; }
    }
    for (int64_t i = 0; i < n; ++i) o[i] = bin<Op>(a[i], y);
  } else if (sa == 0 && sb == 1) {
    const float x = a[0];
    for (int64_t i = 0; i < n; ++i) o[i] = bin<Op>(x, b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) o[i] = bin<Op>(a[i * sa], b[i * sb]);
  }
}

template <int Op>
void binaryT(float* out, const float* a, const float* b, const Shape& shape, const Shape& as, const Shape& bs) {
  // Drop size-1 dims, then merge adjacent dims that stay contiguous for both operands.
  Shape d, sa, sb;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1) continue;
    if (!d.empty() && sa.back() == as[i] * shape[i] && sb.back() == bs[i] * shape[i]) {
      d.back() *= shape[i];
      sa.back() = as[i];
      sb.back() = bs[i];
      continue;
    }
    d.push_back(shape[i]);
    sa.push_back(as[i]);
    sb.push_back(bs[i]);
  }
  if (d.empty()) {
    out[0] = bin<Op>(a[0], b[0]);
    return;
  }
  const int r = (int)d.size();
  const int64_t inner = d[r - 1], ia = sa[r - 1], ib = sb[r - 1];
  int64_t rows = 1;
  for (int i = 0; i < r - 1; ++i) rows *= d[i];
  if (rows * inner == 0) return;
  parallel_for(rows, inner, [&](int64_t r0, int64_t r1) {
    // Odometer over the outer dims, started at row r0.
    std::vector<int64_t> idx(r > 1 ? r - 1 : 1, 0);
    int64_t offA = 0, offB = 0, t = r0;
    for (int i = r - 2; i >= 0; --i) {
      idx[i] = t % d[i];
      t /= d[i];
      offA += idx[i] * sa[i];
      offB += idx[i] * sb[i];
    }
    for (int64_t q = r0; q < r1; ++q) {
      row<Op>(out + q * inner, a + offA, b + offB, inner, ia, ib);
      for (int i = r - 2; i >= 0; --i) {
        offA += sa[i];
        offB += sb[i];
        if (++idx[i] < d[i]) break;
        offA -= sa[i] * d[i];
        offB -= sb[i] * d[i];
        idx[i] = 0;
      }
    }
  });
}

inline float erfOf(float x) { return ferf(x); }

template <int Op>
inline float un(float x, float alpha) {
  if constexpr (Op == kExp) return fexp(x);
  if constexpr (Op == kLog) return std::log(x);
  if constexpr (Op == kTanh) return ftanh(x);
  if constexpr (Op == kErf) return erfOf(x);
  if constexpr (Op == kRsqrt) return 1.f / std::sqrt(x);
  if constexpr (Op == kSqrt) return std::sqrt(x);
  if constexpr (Op == kSquare) return x * x;
  if constexpr (Op == kNeg) return -x;
  if constexpr (Op == kRelu) return x < 0.f ? 0.f : x;
  if constexpr (Op == kAbs) return std::fabs(x);
  if constexpr (Op == kSigmoid) return 1.f / (1.f + fexp(-x));
  if constexpr (Op == kReciprocal) return 1.f / x;
  if constexpr (Op == kLog1p) return std::log1p(x);
  if constexpr (Op == kExpm1) return std::expm1(x);
  if constexpr (Op == kSin) return std::sin(x);
  if constexpr (Op == kCos) return std::cos(x);
  if constexpr (Op == kRelu6) return x < 0.f ? 0.f : (x > 6.f ? 6.f : x);
  if constexpr (Op == kStep) return x != x ? NAN : (x > 0.f ? 1.f : alpha);
  if constexpr (Op == kSign) return x > 0.f ? 1.f : (x < 0.f ? -1.f : 0.f);
  if constexpr (Op == kFloor) return std::floor(x);
  if constexpr (Op == kCeil) return std::ceil(x);
  if constexpr (Op == kRound) return std::nearbyint(x);
  if constexpr (Op == kSoftplus) return x > 20.f ? x : (x < -20.f ? std::exp(x) : std::log1p(std::exp(x)));
  if constexpr (Op == kElu) return x >= 0.f ? x : std::expm1(x);
  if constexpr (Op == kSelu) return x >= 0.f ? 1.0507009873554805f * x : 1.7580993408473768f * std::expm1(x);
  if constexpr (Op == kLeakyRelu) return x < 0.f ? alpha * x : x;
  if constexpr (Op == kIsNan) return x != x ? 1.f : 0.f;
  if constexpr (Op == kLinear) return x;
  return 0.f;
}

template <int Op>
void unaryT(float* out, const float* a, int64_t n, float alpha) {
  const int64_t cost = (Op == kNeg || Op == kSquare || Op == kRelu || Op == kAbs || Op == kLinear) ? 1 : 8;
  parallel_for(n, cost, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) out[i] = un<Op>(a[i], alpha);
  });
}

}  // namespace

void binary(int op, float* out, const float* a, const float* b, const Shape& s, const Shape& as, const Shape& bs) {
  switch (op) {
    case kAdd: return binaryT<kAdd>(out, a, b, s, as, bs);
    case kSub: return binaryT<kSub>(out, a, b, s, as, bs);
    case kMul: return binaryT<kMul>(out, a, b, s, as, bs);
    case kDiv: return binaryT<kDiv>(out, a, b, s, as, bs);
    case kMax: return binaryT<kMax>(out, a, b, s, as, bs);
    case kMin: return binaryT<kMin>(out, a, b, s, as, bs);
    case kSqDiff: return binaryT<kSqDiff>(out, a, b, s, as, bs);
    case kPow: return binaryT<kPow>(out, a, b, s, as, bs);
    case kPrelu: return binaryT<kPrelu>(out, a, b, s, as, bs);
    case kAtan2: return binaryT<kAtan2>(out, a, b, s, as, bs);
  }
}

void unary(int op, float* out, const float* a, int64_t n, float alpha) {
  switch (op) {
#define JN_CASE(OP) case OP: return unaryT<OP>(out, a, n, alpha);
    JN_CASE(kExp) JN_CASE(kLog) JN_CASE(kTanh) JN_CASE(kErf) JN_CASE(kRsqrt) JN_CASE(kSqrt) JN_CASE(kSquare)
    JN_CASE(kNeg) JN_CASE(kRelu) JN_CASE(kAbs) JN_CASE(kSigmoid) JN_CASE(kReciprocal) JN_CASE(kLog1p)
    JN_CASE(kExpm1) JN_CASE(kSin) JN_CASE(kCos) JN_CASE(kRelu6) JN_CASE(kStep) JN_CASE(kSign) JN_CASE(kFloor)
    JN_CASE(kCeil) JN_CASE(kRound) JN_CASE(kSoftplus) JN_CASE(kElu) JN_CASE(kSelu) JN_CASE(kLeakyRelu)
    JN_CASE(kIsNan) JN_CASE(kLinear)
#undef JN_CASE
  }
}

}  // namespace jnat
