// Node-API entry points of jepa_native. Each takes the output typed array(s) first (allocated by
// the caller in JS, so tfjs adopts them without a copy), then the inputs, then sizes. Every entry
// checks its arguments (args.h: finite non-negative integer sizes, no overflowing products) and the
// typed-array lengths against the sizes before touching memory, and throws a TypeError on
// mismatch; any C++ exception becomes a JS error (`guarded`). The addon loads in one Node
// environment only (the main thread): its thread pool and OpenBLAS's thread count are process-wide. At load, glibc's malloc is told to keep big blocks (see DESIGN §4b: per-call
// mmap/munmap of multi-MB outputs page-faulted while OpenBLAS threads ran).
#include <cblas.h>
#include <malloc.h>
#include <napi.h>

#include <atomic>
#include <new>
#include <stdexcept>
#include <string>

#include "args.h"
#include "kernels.h"
#include "pool.h"

namespace jnat {
namespace {

int64_t prod(const Shape& s) {
  int64_t p = 1;
  for (int64_t d : s) p = mulSize(p, d, "shape");
  return p;
}

int64_t prod3(int64_t a, int64_t b, int64_t c, const char* what) { return mulSize(mulSize(a, b, what), c, what); }

void need(bool ok, const std::string& what) {
  if (!ok) throw ArgError{what};
}

Napi::Value MatMul(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    size_t lo, la, lb;
    float* out = f32(info, 0, "out", &lo);
    const float* a = f32(info, 1, "a", &la);
    const float* b = f32(info, 2, "b", &lb);
    Shape ob = ints(info, 3, "outBatch"), ab = ints(info, 4, "aBatch"), bb = ints(info, 5, "bBatch");
    const int64_t kInt = 0x7fffffff;  // cblas takes int sizes
    int64_t m = integer(info, 6, "m", 0, kInt), n = integer(info, 7, "n", 0, kInt), k = integer(info, 8, "k", 0, kInt);
    bool ta = info[9].ToBoolean(), tb = info[10].ToBoolean();
    need(ab.size() == ob.size() && bb.size() == ob.size(), "matMul: batch ranks differ");
    for (size_t d = 0; d < ob.size(); ++d)
      need((ab[d] == ob[d] || ab[d] == 1) && (bb[d] == ob[d] || bb[d] == 1), "matMul: batch dims do not broadcast");
    need((int64_t)lo == prod3(prod(ob), m, n, "matMul") && (int64_t)la == prod3(prod(ab), m, k, "matMul") &&
             (int64_t)lb == prod3(prod(bb), k, n, "matMul"),
         "matMul: buffer lengths do not match the shapes");
    need(mulSize(prod(ob), m, "matMul") <= kInt, "matMul: more than 2^31-1 output rows");
    batchMatMul(out, a, b, ob, ab, bb, m, n, k, ta, tb);
  });
}

int64_t extent(const Shape& shape, const Shape& strides) {
  int64_t e = 1;
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] > 0) {
      e += mulSize(shape[i] - 1, strides[i], "binary: strides");
      need(e <= kMaxDim, "binary: strides too large");
    }
  return e;
}

Napi::Value Binary(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    int op = (int)integer(info, 0, "op", kAdd, kAtan2);
    size_t lo, la, lb;
    float* out = f32(info, 1, "out", &lo);
    const float* a = f32(info, 2, "a", &la);
    const float* b = f32(info, 3, "b", &lb);
    Shape s = ints(info, 4, "shape"), as = ints(info, 5, "aStrides"), bs = ints(info, 6, "bStrides");
    need(as.size() == s.size() && bs.size() == s.size(), "binary: ranks differ");
    need((int64_t)lo == prod(s), "binary: out length");
    if (lo == 0) return;
    need(extent(s, as) <= (int64_t)la && extent(s, bs) <= (int64_t)lb, "binary: input too short for strides");
    need(op >= kAdd && op <= kAtan2, "binary: unknown op");
    binary(op, out, a, b, s, as, bs);
  });
}

Napi::Value Unary(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    int op = (int)integer(info, 0, "op", kExp, kLinear);
    size_t lo, la;
    float* out = f32(info, 1, "out", &lo);
    const float* a = f32(info, 2, "a", &la);
    float alpha = (float)number(info, 3, "alpha");
    need(lo == la, "unary: lengths differ");
    need(op >= kExp && op <= kLinear, "unary: unknown op");
    unary(op, out, a, (int64_t)lo, alpha);
  });
}

Napi::Value Transpose(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    size_t lo, la;
    float* out = f32(info, 0, "out", &lo);
    const float* a = f32(info, 1, "a", &la);
    Shape s = ints(info, 2, "shape"), p = ints(info, 3, "perm");
    need(p.size() == s.size() && (int64_t)lo == prod(s) && lo == la, "transpose: shapes");
    std::vector<bool> seen(s.size(), false);
    for (int64_t x : p) {
      need(x >= 0 && x < (int64_t)s.size() && !seen[x], "transpose: perm is not a permutation");
      seen[x] = true;
    }
    transpose(out, a, s, p);
  });
}

Napi::Value Reduce(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    int op = (int)integer(info, 0, "op", kSum, kProd);
    size_t lo, la;
    float* out = f32(info, 1, "out", &lo);
    const float* a = f32(info, 2, "a", &la);
    int64_t outer = integer(info, 3, "outer"), red = integer(info, 4, "red"), inner = integer(info, 5, "inner");
    need((int64_t)lo == mulSize(outer, inner, "reduce") && (int64_t)la == prod3(outer, red, inner, "reduce"), "reduce: lengths");
    need(op >= kSum && op <= kProd, "reduce: unknown op");
    reduce(op, out, a, outer, red, inner);
  });
}

Napi::Value Softmax(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    size_t lo, la;
    float* out = f32(info, 0, "out", &lo);
    const float* a = f32(info, 1, "logits", &la);
    int64_t cols = integer(info, 2, "cols");
    bool log = info[3].ToBoolean();
    need(lo == la && cols > 0 && (int64_t)lo % cols == 0, "softmax: lengths");
    if (log) logSoftmax(out, a, (int64_t)lo / cols, cols);
    else softmax(out, a, (int64_t)lo / cols, cols);
  });
}

Napi::Value Gather(const Napi::CallbackInfo& info) {
  int64_t bad = -1;
  Napi::Value r = guarded(info, [&] {
    size_t lo, lx, li;
    float* out = f32(info, 0, "out", &lo);
    const float* x = f32(info, 1, "x", &lx);
    const int32_t* idx = i32(info, 2, "indices", &li);
    int64_t outer = integer(info, 3, "outer"), axisDim = integer(info, 4, "axisDim"), inner = integer(info, 5, "inner");
    need((int64_t)lx == prod3(outer, axisDim, inner, "gather") && (int64_t)lo == prod3(outer, (int64_t)li, inner, "gather"),
         "gather: lengths");
    bad = gather(out, x, idx, (int64_t)li, outer, axisDim, inner);
  });
  if (info.Env().IsExceptionPending()) return r;
  return Napi::Number::New(info.Env(), (double)bad);
}

Napi::Value SegmentSum(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    size_t lo, lx, li;
    float* out = f32(info, 0, "out", &lo);
    const float* x = f32(info, 1, "x", &lx);
    const int32_t* ids = i32(info, 2, "segmentIds", &li);
    int64_t inner = integer(info, 3, "inner"), segs = integer(info, 4, "numSegments");
    need((int64_t)lx == mulSize((int64_t)li, inner, "unsortedSegmentSum") && (int64_t)lo == mulSize(segs, inner, "unsortedSegmentSum"),
         "unsortedSegmentSum: lengths");
    unsortedSegmentSum(out, x, ids, (int64_t)li, inner, segs);
  });
}

Napi::Value Slice(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    size_t lo, la;
    float* out = f32(info, 0, "out", &lo);
    const float* a = f32(info, 1, "a", &la);
    Shape s = ints(info, 2, "shape"), b = ints(info, 3, "begin"), z = ints(info, 4, "size");
    need(b.size() == s.size() && z.size() == s.size(), "slice: ranks");
    for (size_t i = 0; i < s.size(); ++i) need(b[i] >= 0 && z[i] >= 0 && b[i] + z[i] <= s[i], "slice: out of bounds");
    need((int64_t)la == prod(s) && (int64_t)lo == prod(z), "slice: lengths");
    slice(out, a, s, b, z);
  });
}

Napi::Value LayerNorm(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    size_t ly, lx, lg, lb;
    float* y = f32(info, 0, "y", &ly);
    const float* x = f32(info, 1, "x", &lx);
    const float* g = f32(info, 2, "gamma", &lg);
    const float* b = f32(info, 3, "beta", &lb);
    float eps = (float)number(info, 4, "eps");
    need(lg == lb && lg > 0 && lx == ly && lx % lg == 0, "layerNorm: lengths");
    layerNorm(y, x, g, b, (int64_t)(lx / lg), (int64_t)lg, eps);
  });
}

Napi::Value LayerNormGrad(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    size_t ldx, ldg, ldb, ldy, lx, lg;
    float* dx = f32(info, 0, "dx", &ldx);
    float* dg = f32(info, 1, "dgamma", &ldg);
    float* db = f32(info, 2, "dbeta", &ldb);
    const float* dy = f32(info, 3, "dy", &ldy);
    const float* x = f32(info, 4, "x", &lx);
    const float* g = f32(info, 5, "gamma", &lg);
    float eps = (float)number(info, 6, "eps");
    need(lg > 0 && ldg == lg && ldb == lg && ldx == lx && ldy == lx && lx % lg == 0, "layerNormGrad: lengths");
    layerNormGrad(dx, dg, db, dy, x, g, (int64_t)(lx / lg), (int64_t)lg, eps);
  });
}

Napi::Value Gelu(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    size_t ly, lx;
    float* y = f32(info, 0, "y", &ly);
    const float* x = f32(info, 1, "x", &lx);
    need(lx == ly, "gelu: lengths");
    gelu(y, x, (int64_t)lx);
  });
}

Napi::Value GeluGrad(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    size_t ldx, ldy, lx;
    float* dx = f32(info, 0, "dx", &ldx);
    const float* dy = f32(info, 1, "dy", &ldy);
    const float* x = f32(info, 2, "x", &lx);
    need(ldx == lx && ldy == lx, "geluGrad: lengths");
    geluGrad(dx, dy, x, (int64_t)lx);
  });
}

Napi::Value Attention(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    size_t lo, lq, lk, lv;
    float* o = f32(info, 0, "out", &lo);
    const float* q = f32(info, 1, "q", &lq);
    const float* k = f32(info, 2, "k", &lk);
    const float* v = f32(info, 3, "v", &lv);
    int64_t bh = integer(info, 4, "bh"), nq = integer(info, 5, "nq"), nk = integer(info, 6, "nk"),
            dh = integer(info, 7, "dh");
    float scale = (float)number(info, 8, "scale");
    need((int64_t)lq == prod3(bh, nq, dh, "attention") && (int64_t)lo == lq && (int64_t)lk == prod3(bh, nk, dh, "attention") &&
             lv == lk,
         "attention: lengths");
    if (bh * nq * dh == 0) return;
    need(nk > 0, "attention: no keys");
    attention(o, q, k, v, bh, nq, nk, dh, scale);
  });
}

Napi::Value AttentionGrad(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    size_t ldq, ldk, ldv, ldo, lq, lk, lv;
    float* dq = f32(info, 0, "dq", &ldq);
    float* dk = f32(info, 1, "dk", &ldk);
    float* dv = f32(info, 2, "dv", &ldv);
    const float* dout = f32(info, 3, "dout", &ldo);
    const float* q = f32(info, 4, "q", &lq);
    const float* k = f32(info, 5, "k", &lk);
    const float* v = f32(info, 6, "v", &lv);
    int64_t bh = integer(info, 7, "bh"), nq = integer(info, 8, "nq"), nk = integer(info, 9, "nk"),
            dh = integer(info, 10, "dh");
    float scale = (float)number(info, 11, "scale");
    need((int64_t)lq == prod3(bh, nq, dh, "attentionGrad") && ldq == lq && ldo == lq &&
             (int64_t)lk == prod3(bh, nk, dh, "attentionGrad") && lv == lk &&
             ldk == lk && ldv == lk,
         "attentionGrad: lengths");
    if (bh * dh == 0 || nq == 0 || nk == 0) {
      for (size_t i = 0; i < ldq; ++i) dq[i] = 0.f;
      for (size_t i = 0; i < ldk; ++i) dk[i] = dv[i] = 0.f;
      return;
    }
    attentionGrad(dq, dk, dv, dout, q, k, v, bh, nq, nk, dh, scale);
  });
}

Napi::Value AdamW(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    size_t l[7];
    float* po = f32(info, 0, "pOut", &l[0]);
    float* mo = f32(info, 1, "mOut", &l[1]);
    float* vo = f32(info, 2, "vOut", &l[2]);
    const float* p = f32(info, 3, "p", &l[3]);
    const float* g = f32(info, 4, "g", &l[4]);
    const float* m = f32(info, 5, "m", &l[5]);
    const float* v = f32(info, 6, "v", &l[6]);
    for (int i = 1; i < 7; ++i) need(l[i] == l[0], "adamw: lengths");
    adamw(po, mo, vo, p, g, m, v, (int64_t)l[0], (float)number(info, 7, "lr"), (float)number(info, 8, "beta1"),
          (float)number(info, 9, "beta2"), (float)number(info, 10, "eps"), (float)number(info, 11, "weightDecay"),
          (float)number(info, 12, "bc1"), (float)number(info, 13, "bc2"));
  });
}

Napi::Value Ema(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    size_t lo, lt, ln;
    float* o = f32(info, 0, "out", &lo);
    const float* t = f32(info, 1, "target", &lt);
    const float* n = f32(info, 2, "online", &ln);
    need(lo == lt && lo == ln, "ema: lengths");
    ema(o, t, n, (int64_t)lo, (float)number(info, 3, "momentum"));
  });
}

// Test hook of the boundary: raises one kind of C++ exception inside `guarded` — "bad_alloc",
// "runtime_error", "int" (not a std::exception), or "pool" (a std::runtime_error thrown by a chunk
// running on a pool worker thread) — so a test can see each become a JS error.
Napi::Value ThrowForTest(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    Napi::Value v = info[0];
    if (!v.IsString()) throw ArgError{"argument 0 (kind) must be a string"};
    const std::string kind = v.As<Napi::String>().Utf8Value();
    if (kind == "bad_alloc") throw std::bad_alloc();
    if (kind == "runtime_error") throw std::runtime_error("runtime_error for the test");
    if (kind == "int") throw 42;
    if (kind == "pool") {
      if (pool().size() < 2) throw std::runtime_error("pool chunk threw (the pool has one thread: ran inline)");
      parallel_for(2, int64_t(1) << 20, [](int64_t b, int64_t) {
        if (b > 0) throw std::runtime_error("pool chunk threw");
      });
      return;
    }
    throw ArgError{"throwForTest: unknown kind " + kind};
  });
}

// The shared thread budget: the pool's threads and OpenBLAS's both become n (they never run at
// once — a GEMM runs on the caller between pool jobs — so one budget does not oversubscribe).
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    int n = (int)integer(info, 0, "threads", 1, Pool::kMaxThreads);
    pool().resize(n);
    openblas_set_num_threads(n);
  });
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  Napi::Value r = guarded(info, [&] {
    o.Set("blasThreads", Napi::Number::New(env, openblas_get_num_threads()));
    o.Set("poolThreads", Napi::Number::New(env, pool().size()));
    o.Set("blasConfig", Napi::String::New(env, openblas_get_config()));
    struct mallinfo2 mi = mallinfo2();
    o.Set("mallocInUse", Napi::Number::New(env, (double)mi.uordblks + (double)mi.hblkhd));
  });
  if (env.IsExceptionPending()) return r;
  return o;
}

}  // namespace

// The Node environment the addon was first loaded in; any other (a worker thread) is refused.
static std::atomic<napi_env> owner{nullptr};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  napi_env none = nullptr;
  if (!owner.compare_exchange_strong(none, (napi_env)env) && owner.load() != (napi_env)env) {
    Napi::Error::New(env,
                     "jepa_native is already loaded by another thread of this process: its thread pool and OpenBLAS's "
                     "thread count are process-wide, so it serves the main thread only (use the cpu or wasm backend "
                     "in worker_threads)")
        .ThrowAsJavaScriptException();
    return exports;
  }
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  exports.Set("matMul", Napi::Function::New(env, MatMul));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("transpose", Napi::Function::New(env, Transpose));
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("softmax", Napi::Function::New(env, Softmax));
  exports.Set("gather", Napi::Function::New(env, Gather));
  exports.Set("unsortedSegmentSum", Napi::Function::New(env, SegmentSum));
  exports.Set("slice", Napi::Function::New(env, Slice));
  exports.Set("layerNorm", Napi::Function::New(env, LayerNorm));
  exports.Set("layerNormGrad", Napi::Function::New(env, LayerNormGrad));
  exports.Set("gelu", Napi::Function::New(env, Gelu));
  exports.Set("geluGrad", Napi::Function::New(env, GeluGrad));
  exports.Set("attention", Napi::Function::New(env, Attention));
  exports.Set("attentionGrad", Napi::Function::New(env, AttentionGrad));
  exports.Set("adamw", Napi::Function::New(env, AdamW));
  exports.Set("ema", Napi::Function::New(env, Ema));
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("throwForTest", Napi::Function::New(env, ThrowForTest));
  return exports;
}

}  // namespace jnat

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return jnat::Init(env, exports); }

NODE_API_MODULE(jepa_native, InitModule)
