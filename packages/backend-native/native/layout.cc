// Data-movement and reduction kernels: transpose (any permutation; size-1 dims dropped and
// adjacent dims that stay in order merged first, 2-D tiles for the common swap of the last two
// axes), reductions over the middle of an [outer, red, inner] view, row softmax, gather along an
// axis, unsorted segment sum, and strided slice.
#include <cmath>
#include <cstring>
#include <limits>

#include "fastmath.h"
#include "kernels.h"
#include "pool.h"

namespace jnat {

void transpose(float* out, const float* a, const Shape& shape0, const Shape& perm0) {
  // Drop size-1 dims, then merge runs of input dims that stay adjacent and in order in the output.
  const int r0 = (int)shape0.size();
  int64_t total = 1;
  for (int64_t s : shape0) total *= s;
  if (total == 0) return;
  std::vector<int> keep(r0, -1);
  int r1 = 0;
  for (int i = 0; i < r0; ++i)
    if (shape0[i] != 1) keep[i] = r1++;
  Shape shape1, perm1;
  for (int i = 0; i < r0; ++i)
    if (shape0[i] != 1) shape1.push_back(shape0[i]);
  for (int j = 0; j < r0; ++j)
    if (keep[perm0[j]] >= 0) perm1.push_back(keep[perm0[j]]);
  // Merge: output positions j, j+1 with perm1[j+1] == perm1[j] + 1 form one input dim.
  std::vector<Shape> groups;  // groups of input dims, in output order
  for (int j = 0; j < r1; ++j) {
    if (!groups.empty() && groups.back().back() + 1 == perm1[j]) groups.back().push_back(perm1[j]);
    else groups.push_back({perm1[j]});
  }
  const int r = (int)groups.size();
  if (r <= 1) {
    std::memcpy(out, a, sizeof(float) * total);
    return;
  }
  // Input dims of the merged problem, in input order.
  std::vector<int> order(r);  // order[g] = rank of group g among groups sorted by first input dim
  {
    std::vector<std::pair<int64_t, int>> firsts;
    for (int g = 0; g < r; ++g) firsts.push_back({groups[g][0], g});
    std::sort(firsts.begin(), firsts.end());
    for (int q = 0; q < r; ++q) order[firsts[q].second] = q;
  }
  Shape inDims(r);
  for (int g = 0; g < r; ++g) {
    int64_t s = 1;
    for (int64_t i : groups[g]) s *= shape1[i];
    inDims[order[g]] = s;
  }
  Shape inStride(r);
  inStride[r - 1] = 1;
  for (int q = r - 2; q >= 0; --q) inStride[q] = inStride[q + 1] * inDims[q + 1];
  Shape outDims(r), outSrcStride(r);
  for (int g = 0; g < r; ++g) {
    outDims[g] = inDims[order[g]];
    outSrcStride[g] = inStride[order[g]];
  }
  const int64_t inner = outDims[r - 1], innerStride = outSrcStride[r - 1];
  // Swap of the last two dims under a batch: tile it for cache friendliness.
  bool batchInOrder = true;
  for (int g = 0; g < r - 2; ++g) batchInOrder = batchInOrder && order[g] == g;
  if (innerStride != 1 && batchInOrder && order[r - 1] == r - 2 && order[r - 2] == r - 1) {
    const int64_t R = inDims[r - 2], C = inDims[r - 1];  // input is [batch, R, C] -> out [batch, C, R]
    int64_t batch = total / (R * C);
    const int64_t T = 32;
    const int64_t tilesR = (R + T - 1) / T, tilesC = (C + T - 1) / T;
    parallel_for(batch * tilesR * tilesC, T * T, [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) {
        int64_t bi = t / (tilesR * tilesC), rem = t % (tilesR * tilesC);
        int64_t r0 = (rem / tilesC) * T, c0 = (rem % tilesC) * T;
        int64_t r1 = std::min(R, r0 + T), c1 = std::min(C, c0 + T);
        const float* src = a + bi * R * C;
        float* dst = out + bi * R * C;
        for (int64_t c = c0; c < c1; ++c)
          for (int64_t rr = r0; rr < r1; ++rr) dst[c * R + rr] = src[rr * C + c];
      }
    });
    (void)batch;
    return;
  }
  const int64_t rows = total / inner;
  parallel_for(rows, inner, [&](int64_t q0, int64_t q1) {
    std::vector<int64_t> idx(r, 0);
    int64_t off = 0, t = q0;
    for (int g = r - 2; g >= 0; --g) {
      idx[g] = t % outDims[g];
      t /= outDims[g];
      off += idx[g] * outSrcStride[g];
    }
    for (int64_t q = q0; q < q1; ++q) {
      float* dst = out + q * inner;
      const float* src = a + off;
      if (innerStride == 1) std::memcpy(dst, src, sizeof(float) * inner);
      else
        for (int64_t i = 0; i < inner; ++i) dst[i] = src[i * innerStride];
      for (int g = r - 2; g >= 0; --g) {
        off += outSrcStride[g];
        if (++idx[g] < outDims[g]) break;
        off -= outSrcStride[g] * outDims[g];
        idx[g] = 0;
      }
    }
  });
}

void reduce(int op, float* out, const float* a, int64_t outer, int64_t red, int64_t inner) {
  const float init = op == kSum || op == kMean ? 0.f
                     : op == kProd             ? 1.f
                     : op == kMaxR             ? -std::numeric_limits<float>::infinity()
                                               : std::numeric_limits<float>::infinity();
  const float scale = op == kMean && red > 0 ? 1.f / (float)red : 1.f;
  auto combine = [op](float acc, float x) -> float {
    switch (op) {
      case kMaxR: return (x > acc || x != x) ? x : acc;
      case kMinR: return (x < acc || x != x) ? x : acc;
      case kProd: return acc * x;
      default: return acc + x;
    }
  };
  if (inner == 1) {
    parallel_for(outer, red, [&](int64_t o0, int64_t o1) {
      for (int64_t o = o0; o < o1; ++o) {
        const float* src = a + o * red;
        if (op == kSum || op == kMean) {
          // Pairwise-friendly: 8 partial sums (vectorizes, and less rounding than one chain).
          float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
          int64_t i = 0;
          for (; i + 8 <= red; i += 8)
            for (int l = 0; l < 8; ++l) acc[l] += src[i + l];
          float s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
          for (; i < red; ++i) s += src[i];
          out[o] = s * scale;
        } else {
          float acc = init;
          for (int64_t i = 0; i < red; ++i) acc = combine(acc, src[i]);
          out[o] = acc;
        }
      }
    });
    return;
  }
  // Reduce across rows: split the kept inner columns over threads, accumulate row by row.
  parallel_for(outer * inner, red, [&](int64_t c0, int64_t c1) {
    int64_t c = c0;
    while (c < c1) {
      int64_t o = c / inner, j0 = c % inner;
      int64_t j1 = std::min(inner, j0 + (c1 - c));
      float* dst = out + o * inner;
      for (int64_t j = j0; j < j1; ++j) dst[j] = init;
      const float* src = a + o * red * inner;
      for (int64_t i = 0; i < red; ++i) {
        const float* rowp = src + i * inner;
        if (op == kSum || op == kMean)
          for (int64_t j = j0; j < j1; ++j) dst[j] += rowp[j];
        else
          for (int64_t j = j0; j < j1; ++j) dst[j] = combine(dst[j], rowp[j]);
      }
      if (scale != 1.f)
        for (int64_t j = j0; j < j1; ++j) dst[j] *= scale;
      c += j1 - j0;
    }
  });
}

void softmax(float* out, const float* x, int64_t rows, int64_t cols) {
  parallel_for(rows, cols * 4, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* src = x + r * cols;
      float* dst = out + r * cols;
      float mx = -std::numeric_limits<float>::infinity();
      for (int64_t i = 0; i < cols; ++i) mx = src[i] > mx ? src[i] : mx;
      for (int64_t i = 0; i < cols; ++i) dst[i] = fexp(src[i] - mx);
      float s = 0.f;
      for (int64_t i = 0; i < cols; ++i) s += dst[i];
      const float inv = 1.f / s;
      for (int64_t i = 0; i < cols; ++i) dst[i] *= inv;
    }
  });
}

void logSoftmax(float* out, const float* x, int64_t rows, int64_t cols) {
  parallel_for(rows, cols * 4, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* src = x + r * cols;
      float* dst = out + r * cols;
      float mx = -std::numeric_limits<float>::infinity();
      for (int64_t i = 0; i < cols; ++i) mx = src[i] > mx ? src[i] : mx;
      float s = 0.f;
      for (int64_t i = 0; i < cols; ++i) s += std::exp(src[i] - mx);
      const float lse = mx + std::log(s);
      for (int64_t i = 0; i < cols; ++i) dst[i] = src[i] - lse;
    }
  });
}

int64_t gather(float* out, const float* x, const int32_t* idx, int64_t nIdx, int64_t outer, int64_t axisDim,
               int64_t inner) {
  for (int64_t j = 0; j < nIdx; ++j)
    if (idx[j] < 0 || idx[j] >= axisDim) return j;
  parallel_for(outer * nIdx, inner, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      int64_t o = t / nIdx, j = t % nIdx;
      std::memcpy(out + t * inner, x + (o * axisDim + idx[j]) * inner, sizeof(float) * inner);
    }
  });
  return -1;
}

void unsortedSegmentSum(float* out, const float* x, const int32_t* ids, int64_t n, int64_t inner,
                        int64_t numSegments) {
  std::memset(out, 0, sizeof(float) * numSegments * inner);
  // Threads split the columns, so no two threads touch the same output element.
  parallel_for(inner, n, [&](int64_t j0, int64_t j1) {
    for (int64_t i = 0; i < n; ++i) {
      const int32_t s = ids[i];
      if (s < 0 || s >= numSegments) continue;
      float* dst = out + (int64_t)s * inner;
      const float* src = x + i * inner;
      for (int64_t j = j0; j < j1; ++j) dst[j] += src[j];
    }
  });
}

void slice(float* out, const float* a, const Shape& shape, const Shape& begin, const Shape& size) {
  const int r = (int)shape.size();
  int64_t total = 1;
  for (int64_t s : size) total *= s;
  if (total == 0) return;
  if (r == 0) {
    out[0] = a[0];
    return;
  }
  Shape stride(r);
  stride[r - 1] = 1;
  for (int i = r - 2; i >= 0; --i) stride[i] = stride[i + 1] * shape[i + 1];
  const int64_t inner = size[r - 1];
  const int64_t rows = total / inner;
  parallel_for(rows, inner, [&](int64_t q0, int64_t q1) {
    std::vector<int64_t> idx(r, 0);
    int64_t t = q0, off = begin[r - 1];
    for (int i = r - 2; i >= 0; --i) {
      idx[i] = t % size[i];
      t /= size[i];
      off += (begin[i] + idx[i]) * stride[i];
    }
    for (int64_t q = q0; q < q1; ++q) {
      std::memcpy(out + q * inner, a + off, sizeof(float) * inner);
      for (int i = r - 2; i >= 0; --i) {
        off += stride[i];
        if (++idx[i] < size[i]) break;
        off -= stride[i] * size[i];
        idx[i] = 0;
      }
    }
  });
}

}  // namespace jnat
